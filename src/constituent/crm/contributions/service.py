"""Contributions (gifts): create, read, change, delete; every change goes to the contact's change log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from constituent.crm.activities import changelog
from constituent.crm.activities.changelog import Change
from constituent.crm.contacts.service import get_contact
from constituent.crm.contributions import repository
from constituent.crm.contributions.models import Contribution
from constituent.crm.contributions.schemas import ContributionCreate, ContributionUpdate
from constituent.crm.errors import NotFound

ENTITY = "contribution"


def _summary(contribution: Contribution) -> str:
    return f"{contribution.amount} {contribution.currency} on {contribution.received_on.isoformat()}"


def create_contribution(session: Session, data: ContributionCreate, actor: str) -> Contribution:
    get_contact(session, data.contact_id)
    contribution = Contribution(**data.model_dump())
    repository.add(session, contribution)
    created = Change(
        contribution.contact_id, ENTITY, contribution.id, changelog.CREATED, None, _summary(contribution)
    )
    changelog.record_change(session, created, actor)
    return contribution


def get_contribution(session: Session, contribution_id: int) -> Contribution:
    contribution = repository.get(session, contribution_id)
    if contribution is None:
        raise NotFound("contribution", contribution_id)
    return contribution


def list_contributions(
    session: Session, *, contact_id: int | None = None, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Contribution], int]:
    """Newest gifts first, optionally of one contact, with the total count."""
    if contact_id is not None:
        get_contact(session, contact_id)
    return repository.list_page(session, contact_id=contact_id, limit=limit, offset=offset)


def update_contribution(
    session: Session, contribution_id: int, data: ContributionUpdate, actor: str
) -> Contribution:
    contribution = get_contribution(session, contribution_id)
    changes = {
        field: value for field, value in data.model_dump(exclude_unset=True).items() if value is not None
    }
    changelog.apply_and_record(
        session, contribution, changes, contact_id=contribution.contact_id, entity=ENTITY, actor=actor
    )
    session.flush()
    return contribution


def delete_contribution(session: Session, contribution_id: int, actor: str) -> None:
    contribution = get_contribution(session, contribution_id)
    deleted = Change(
        contribution.contact_id, ENTITY, contribution.id, changelog.DELETED, _summary(contribution), None
    )
    changelog.record_change(session, deleted, actor)
    repository.delete(session, contribution)
