"""Queries on the webhook inbox and the member event clock (nothing else touches these tables)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Email
from constituent.integrations.mailchimp.inbound.models import InboxStatus, MemberEventClock, WebhookEvent


def insert_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany INSERT for a batch of deliveries (the intake's group commit).

    On the table, not the ORM class: the ORM's bulk path costs more per row than the write itself.
    """
    table = WebhookEvent.__table__
    assert isinstance(table, Table)
    session.execute(insert(table), list(rows))


def pending_ids(session: Session, integration_id: int | None, limit: int) -> list[int]:
    query = select(WebhookEvent.id).where(WebhookEvent.status == InboxStatus.received)
    if integration_id is not None:
        query = query.where(WebhookEvent.integration_id == integration_id)
    return list(session.scalars(query.order_by(WebhookEvent.id).limit(limit)))


def claim(session: Session, event_id: int) -> WebhookEvent | None:
    """Count an attempt on a still-unprocessed row; None when another worker already finished it.

    The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) for this transaction, so two
    workers never process the same delivery at once.
    """
    claimed = session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id, WebhookEvent.status == InboxStatus.received)
        .values(attempts=WebhookEvent.attempts + 1)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    return session.get(WebhookEvent, event_id)


def finish(
    session: Session, event_id: int, status: InboxStatus, outcome: str, error: str, now: datetime
) -> None:
    session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id)
        .values(status=status, outcome=outcome[:100], error=error, processed_at=now)
    )


def record_failure(
    session: Session, event_id: int, error: str, now: datetime, max_attempts: int
) -> InboxStatus:
    """Count the failed attempt (its own transaction rolled back); give up after ``max_attempts``."""
    row = session.get(WebhookEvent, event_id)
    if row is None:
        return InboxStatus.failed
    row.attempts += 1
    row.error = error
    row.status = InboxStatus.failed if row.attempts >= max_attempts else InboxStatus.received
    row.outcome = "failed" if row.status is InboxStatus.failed else f"failed {row.attempts}x, will retry"
    row.processed_at = now
    return row.status


def page(
    session: Session, *, status: InboxStatus | None, integration_id: int | None, limit: int, offset: int
) -> tuple[list[WebhookEvent], int]:
    query = select(WebhookEvent)
    if status is not None:
        query = query.where(WebhookEvent.status == status)
    if integration_id is not None:
        query = query.where(WebhookEvent.integration_id == integration_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(WebhookEvent.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def event_clock(session: Session, integration_id: int, subscriber_hash: str) -> MemberEventClock | None:
    return session.scalar(
        select(MemberEventClock).where(
            MemberEventClock.integration_id == integration_id,
            MemberEventClock.subscriber_hash == subscriber_hash,
        )
    )


def advance_clock(session: Session, integration_id: int, subscriber_hash: str, at: datetime) -> None:
    clock = event_clock(session, integration_id, subscriber_hash)
    if clock is None:
        session.add(
            MemberEventClock(integration_id=integration_id, subscriber_hash=subscriber_hash, last_event_at=at)
        )
        session.flush()
    elif clock.last_event_at < at:
        clock.last_event_at = at


def record_rename(session: Session, integration_id: int, old_hash: str, new_email: str, at: datetime) -> None:
    """Note on the old address's clock where an upemail fired at ``at`` moved it (newest event wins)."""
    advance_clock(session, integration_id, old_hash, at)
    clock = event_clock(session, integration_id, old_hash)
    if clock is not None and clock.last_event_at == at:
        clock.renamed_to = new_email


def renamed_after(session: Session, integration_id: int, member_hash: str, at: datetime) -> str:
    """The address a NEWER upemail (fired after ``at``) already moved this address to, else ""."""
    clock = event_clock(session, integration_id, member_hash)
    if clock is None or clock.last_event_at <= at:
        return ""
    return clock.renamed_to


def emails_with_address(session: Session, address: str) -> list[Email]:
    """Every email row with this address (any contact), oldest contact first."""
    normalized = address.strip().lower()
    query = select(Email).where(Email.address_normalized == normalized).order_by(Email.contact_id, Email.id)
    return list(session.scalars(query))


def touch_emails(session: Session, address: str, now: datetime) -> None:
    """Mark the address's email rows changed, so the next incremental sync looks at their contacts."""
    touch_addresses(session, [address], now)


def touch_addresses(session: Session, addresses: Sequence[str], now: datetime) -> None:
    """The same for many addresses, a few hundred per statement."""
    normalized = sorted({address.strip().lower() for address in addresses})
    for start in range(0, len(normalized), 500):
        chunk = normalized[start : start + 500]
        session.execute(update(Email).where(Email.address_normalized.in_(chunk)).values(updated_at=now))
