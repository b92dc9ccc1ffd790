"""The interests members unticked themselves in Mailchimp: every query on ``mailchimp_member_unticks``.

Written by the inbound processor (a ``profile`` webhook, or reconciliation reading the member); read by
planning, which hands them to the pure planner on each ledger entry (``LedgerEntry.unticked_interests``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.sync.desired_repository import chunks
from constituent.integrations.mailchimp.sync.models import MemberUntick
from constituent.integrations.mailchimp.sync.types import LedgerEntry
from constituent.kit.keyed import among

CHUNK = 5000  # addresses a read asks for at once


def unticked(session: Session, integration_id: int, subscriber_hash: str) -> frozenset[str]:
    rows = session.scalars(
        select(MemberUntick.interest_id).where(
            MemberUntick.integration_id == integration_id, MemberUntick.subscriber_hash == subscriber_hash
        )
    )
    return frozenset(rows)


def record_untick(
    session: Session, integration_id: int, subscriber_hash: str, interest_id: str, at: datetime
) -> None:
    if interest_id in unticked(session, integration_id, subscriber_hash):
        return
    session.add(
        MemberUntick(
            integration_id=integration_id,
            subscriber_hash=subscriber_hash,
            interest_id=interest_id,
            unticked_at=at,
        )
    )
    session.flush()


def forget_untick(session: Session, integration_id: int, subscriber_hash: str, interest_id: str) -> None:
    """She ticked it again herself: the interest is ours to tick once more."""
    session.execute(
        delete(MemberUntick).where(
            MemberUntick.integration_id == integration_id,
            MemberUntick.subscriber_hash == subscriber_hash,
            MemberUntick.interest_id == interest_id,
        )
    )


def with_unticks(
    session: Session, integration_id: int, entries: Mapping[str, LedgerEntry]
) -> dict[str, LedgerEntry]:
    """``entries`` each carrying the interests its member unticked herself.

    Read by the entries' addresses, a chunk at a time: each slice of a run asks for its own members, so a
    run costs its members, not slices × every untick of the audience. An audience nobody unticked
    anything in (most: unticks need groups synced as interests) is asked once, not by 20,000 addresses
    a slice (35 ms on PostgreSQL)."""
    if not entries or not _any_in(session, integration_id):
        return dict(entries)
    by_hash: dict[str, set[str]] = {}
    for chunk in chunks(sorted(entries), CHUNK):
        rows = session.execute(
            select(MemberUntick.subscriber_hash, MemberUntick.interest_id).where(
                MemberUntick.integration_id == integration_id,
                among(session, MemberUntick.subscriber_hash, chunk),
            )
        )
        for subscriber_hash, interest_id in rows:
            by_hash.setdefault(subscriber_hash, set()).add(interest_id)
    return {
        h: replace(e, unticked_interests=frozenset(by_hash[h])) if h in by_hash else e
        for h, e in entries.items()
    }


def _any_in(session: Session, integration_id: int) -> bool:
    query = select(MemberUntick.id).where(MemberUntick.integration_id == integration_id).limit(1)
    return session.scalar(query) is not None
