"""Queries on the integration tables."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from constituent.integrations.mailchimp.models import (
    LeftTag,
    MailchimpIntegration,
    MailchimpSource,
    PendingConnection,
    SourceTarget,
)


def get(session: Session, integration_id: int) -> MailchimpIntegration | None:
    return session.get(MailchimpIntegration, integration_id)


def list_all(session: Session) -> Sequence[MailchimpIntegration]:
    query = select(MailchimpIntegration).options(selectinload(MailchimpIntegration.sources))
    return session.scalars(query.order_by(MailchimpIntegration.id)).all()


def names(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every integration, oldest first: the menu's entries."""
    query = select(MailchimpIntegration.id, MailchimpIntegration.name).order_by(MailchimpIntegration.id)
    return [(int(row.id), str(row.name)) for row in session.execute(query)]


def find_by_audience(session: Session, api_base: str, audience_id: str) -> MailchimpIntegration | None:
    query = select(MailchimpIntegration).where(
        MailchimpIntegration.api_base == api_base, MailchimpIntegration.audience_id == audience_id
    )
    return session.scalars(query).first()


def add(session: Session, integration: MailchimpIntegration) -> MailchimpIntegration:
    session.add(integration)
    session.flush()
    return integration


def delete(session: Session, integration: MailchimpIntegration) -> None:
    session.delete(integration)
    session.flush()


def add_pending(session: Session, pending: PendingConnection) -> None:
    session.add(pending)
    session.flush()


def take_pending(session: Session, state_hash: str) -> PendingConnection | None:
    """Fetch and delete in one go: an OAuth state can be used once only."""
    pending = session.scalars(
        select(PendingConnection).where(PendingConnection.state_hash == state_hash)
    ).first()
    if pending is not None:
        session.delete(pending)
        session.flush()
    return pending


def groups_by_name(session: Session, names: Sequence[str]) -> dict[str, int]:
    """Map lower-cased group names to ids for the names that exist."""
    from constituent.crm.groups.models import Group

    wanted = {n.strip().lower() for n in names}
    rows = session.execute(select(Group.id, Group.name).where(Group.deleted_at.is_(None))).all()
    return {name.lower(): gid for gid, name in rows if name.lower() in wanted}


def find_source(
    session: Session,
    integration_id: int,
    target: SourceTarget,
    *,
    group_id: int | None = None,
    saved_search_id: int | None = None,
) -> MailchimpSource | None:
    query = select(MailchimpSource).where(
        MailchimpSource.integration_id == integration_id,
        MailchimpSource.target == target,
        MailchimpSource.group_id.is_(None) if group_id is None else MailchimpSource.group_id == group_id,
        MailchimpSource.saved_search_id.is_(None)
        if saved_search_id is None
        else MailchimpSource.saved_search_id == saved_search_id,
    )
    return session.scalars(query).first()


def add_source(session: Session, source: MailchimpSource) -> MailchimpSource:
    session.add(source)
    session.flush()
    return source


def delete_source(session: Session, source: MailchimpSource) -> None:
    session.delete(source)
    session.flush()


def left_tags(session: Session, integration_id: int) -> frozenset[str]:
    query = select(LeftTag.name).where(LeftTag.integration_id == integration_id)
    return frozenset(session.scalars(query))


def leave_tag(session: Session, integration_id: int, name: str) -> None:
    if name not in left_tags(session, integration_id):
        session.add(LeftTag(integration_id=integration_id, name=name))
        session.flush()


def take_tag_back(session: Session, integration_id: int, name: str) -> None:
    session.execute(sa.delete(LeftTag).where(LeftTag.integration_id == integration_id, LeftTag.name == name))
