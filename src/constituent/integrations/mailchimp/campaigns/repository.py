"""Queries for tracked campaigns, and the address → contact lookups a page of recipients needs."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Email
from constituent.integrations.mailchimp.campaigns.models import TrackedCampaign, TrackingState
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.models import LedgerRow

# Keeps every IN (...) under SQLite's bound-parameter limit.
CHUNK = 500


def add_unless_known(session: Session, values: dict[str, Any]) -> bool:
    """Start tracking a campaign; False when the integration already tracks it.

    The webhook processor and discovery may race for the same campaign: the unique constraint decides,
    inside a savepoint so the caller's transaction survives the loser's attempt.
    """
    if find(session, values["integration_id"], values["campaign_id"]) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(TrackedCampaign(**values))
    except IntegrityError:
        return False
    return True


def get(session: Session, tracked_id: int) -> TrackedCampaign:
    return session.get_one(TrackedCampaign, tracked_id)


def find(session: Session, integration_id: int, campaign_id: str) -> TrackedCampaign | None:
    return session.scalars(
        select(TrackedCampaign).where(
            TrackedCampaign.integration_id == integration_id, TrackedCampaign.campaign_id == campaign_id
        )
    ).one_or_none()


def to_read(session: Session, integration_id: int) -> list[int]:
    """Campaigns not read to the end yet (a failed or interrupted read is tried again), oldest first."""
    query = (
        select(TrackedCampaign.id)
        .where(
            TrackedCampaign.integration_id == integration_id,
            TrackedCampaign.state != TrackingState.done,
        )
        .order_by(TrackedCampaign.id)
    )
    return list(session.scalars(query))


def engagement_due(
    session: Session, integration_id: int, *, sent_after: datetime, read_before: datetime
) -> list[tuple[int, str]]:
    """(row id, campaign id) of campaigns read to the end, sent after ``sent_after``, whose opens and
    clicks were last read before ``read_before``."""
    query = select(TrackedCampaign.id, TrackedCampaign.campaign_id).where(
        TrackedCampaign.integration_id == integration_id,
        TrackedCampaign.state == TrackingState.done,
        TrackedCampaign.send_time >= sent_after,
        TrackedCampaign.engagement_read_at < read_before,
    )
    return [
        (row_id, campaign_id) for row_id, campaign_id in session.execute(query.order_by(TrackedCampaign.id))
    ]


def latest_send_time(session: Session, integration_id: int) -> datetime | None:
    query = select(func.max(TrackedCampaign.send_time)).where(
        TrackedCampaign.integration_id == integration_id
    )
    return session.scalar(query)


def list_for_integration(session: Session, integration_id: int) -> Sequence[TrackedCampaign]:
    query = select(TrackedCampaign).where(TrackedCampaign.integration_id == integration_id)
    return session.scalars(query.order_by(TrackedCampaign.id)).all()


def set_fields(session: Session, tracked_id: int, **values: Any) -> None:
    session.execute(update(TrackedCampaign).where(TrackedCampaign.id == tracked_id).values(**values))


def advance(session: Session, tracked_id: int, *, read_to: int, activities: int, total: int) -> None:
    """Move the cursor past a page of recipients (in the same transaction as the page's activities).

    The cursor is set, not added to: two passes reading the same campaign at once write the same values.
    """
    session.execute(
        update(TrackedCampaign)
        .where(TrackedCampaign.id == tracked_id)
        .values(
            recipients_read=read_to,
            activities_written=TrackedCampaign.activities_written + activities,
            recipients_total=total,
        )
    )


def ledger_contacts(session: Session, integration_id: int, hashes: Collection[str]) -> dict[str, int]:
    """The contact each member stands for, as the sync ledger knows it (by subscriber hash)."""
    found: dict[str, int] = {}
    ordered = sorted(hashes)
    for start in range(0, len(ordered), CHUNK):
        # No "contact_id IS NOT NULL" here: with it SQLite picks the (integration, contact) index and
        # scans the whole audience for every page; the owner-less rows are dropped below instead.
        columns = (LedgerRow.subscriber_hash, LedgerRow.contact_id)
        query = ledger.by_hashes(session, integration_id, ordered[start : start + CHUNK], columns)
        found |= {h: int(c) for h, c in session.execute(query) if c is not None}
    return found


def contacts_by_address(session: Session, addresses: Collection[str]) -> dict[str, set[int]]:
    """Every contact holding each (lower-cased) address."""
    found: dict[str, set[int]] = {}
    ordered = sorted(addresses)
    for start in range(0, len(ordered), CHUNK):
        query = select(Email.address_normalized, Email.contact_id).where(
            Email.address_normalized.in_(ordered[start : start + CHUNK])
        )
        for address, contact_id in session.execute(query):
            found.setdefault(address, set()).add(contact_id)
    return found
