"""Contacts: CRUD, and one contact with its groups, smart groups, past groups and latest activities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from constituent.crm.activities.schemas import ActivityOut
from constituent.crm.activities.service import list_activities
from constituent.crm.contacts import service
from constituent.crm.contacts.schemas import ContactCreate, ContactOut, ContactUpdate
from constituent.crm.groups.schemas import MembershipView
from constituent.crm.groups.service import contact_groups
from constituent.crm.merges import service as merges
from constituent.crm.merges.schemas import MergeRequest
from constituent.crm.merges.service import DEFAULT_PAIRS
from constituent.crm.searches.service import matching_searches_for_contact
from constituent.integrations.mailchimp.sync.contact_status import (
    MailchimpStatus,
    mailchimp_status_for_contact,
)
from constituent.integrations.mailchimp.sync.deletion import DeletionEffect, effects_of_deleting
from constituent.kit.clock import today
from constituent.kit.numbers import DbInt
from constituent.web.api.pagination import Page, PageDep
from constituent.web.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/contacts", tags=["contacts"])

LATEST_ACTIVITIES = 20


class SmartGroupOut(BaseModel):
    """A saved search (or quick list) the contact matches today."""

    search_id: int
    name: str
    quick_list: str | None


class ContactDetail(ContactOut):
    groups: list[MembershipView]
    smart_groups: list[SmartGroupOut]
    past_groups: list[MembershipView]
    activities: list[ActivityOut]
    mailchimp: list[MailchimpStatus]


def contact_detail(session: Session, contact_id: DbInt) -> ContactDetail:
    contact = ContactOut.model_validate(service.get_contact(session, contact_id))
    memberships = contact_groups(session, contact_id)
    activities, _total = list_activities(session, contact_id, limit=LATEST_ACTIVITIES)
    return ContactDetail(
        **contact.model_dump(),
        groups=memberships.current,
        smart_groups=[
            SmartGroupOut(search_id=s.id, name=s.name, quick_list=s.quick_list)
            for s in matching_searches_for_contact(session, contact_id, today())
        ],
        past_groups=memberships.past,
        activities=[ActivityOut.model_validate(a) for a in activities],
        mailchimp=mailchimp_status_for_contact(session, contact_id),
    )


@router.get("", response_model=Page[ContactOut])
def list_contacts(
    session: SessionDep,
    page: PageDep,
    email: Annotated[str | None, Query(description="Exact email address (any of the contact's).")] = None,
    search: Annotated[str | None, Query(description="Part of a name or email.")] = None,
) -> Page[ContactOut]:
    contacts, total = service.list_contacts(
        session, email=email, search=search, limit=page.limit, offset=page.offset
    )
    return page.page([ContactOut.model_validate(c) for c in contacts], total)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ContactDetail)
def create_contact(data: ContactCreate, session: SessionDep, principal: PrincipalDep) -> ContactDetail:
    contact = service.create_contact(session, data, principal.actor, refuse_duplicates=True)
    return contact_detail(session, contact.id)


class DuplicatePairOut(BaseModel):
    contact_ids: tuple[int, int]  # the lower id (the longer-standing record) first
    reasons: list[str]  # "same email", "same name and postal code", "same phone"
    score: int  # higher: more likely one person


@router.get("/duplicates", response_model=list[DuplicatePairOut])
def possible_duplicates(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = DEFAULT_PAIRS
) -> list[DuplicatePairOut]:
    """Pairs of contacts that may be one person, the most likely first."""
    return [
        DuplicatePairOut(
            contact_ids=(p.first_id, p.second_id), reasons=[r.value for r in p.reasons], score=p.score
        )
        for p in merges.possible_duplicates(session, limit)
    ]


@router.post("/{contact_id}/merge", response_model=ContactDetail)
def merge_contact(
    contact_id: DbInt, data: MergeRequest, session: SessionDep, principal: PrincipalDep
) -> ContactDetail:
    """Merge ``other_id`` into this contact: everything of the other moves here, then it is deleted."""
    merges.merge_contacts(session, contact_id, data, principal.actor)
    return contact_detail(session, contact_id)


@router.get("/{contact_id}", response_model=ContactDetail)
def get_contact(contact_id: DbInt, session: SessionDep) -> ContactDetail:
    return contact_detail(session, contact_id)


@router.patch("/{contact_id}", response_model=ContactDetail)
def update_contact(
    contact_id: DbInt, data: ContactUpdate, session: SessionDep, principal: PrincipalDep
) -> ContactDetail:
    service.update_contact(session, contact_id, data, principal.actor)
    return contact_detail(session, contact_id)


class ContactDeleted(BaseModel):
    """The contact is gone; ``mailchimp`` says what the next sync does with its member in each audience."""

    deleted: int
    mailchimp: list[DeletionEffect]


@router.delete("/{contact_id}", response_model=ContactDeleted)
def delete_contact(contact_id: DbInt, session: SessionDep, principal: PrincipalDep) -> ContactDeleted:
    effects = effects_of_deleting(session, contact_id)
    service.delete_contact(session, contact_id, principal.actor)
    return ContactDeleted(deleted=contact_id, mailchimp=effects)
