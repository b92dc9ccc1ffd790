"""The sync ledger: what Mailchimp holds for each member of an integration's audience (queries only).

The ledger is read as plain ``LedgerEntry`` values (the planner's input) and written in bulk: one
INSERT … ON CONFLICT DO UPDATE per page of outcomes, keyed by (integration, subscriber hash).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.types import LedgerEntry, RemoteStatus

# Keeps every statement under SQLite's bound-parameter limit with room to spare.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class LedgerUpdate:
    """A member's state after a write or a read of Mailchimp, ready to be stored."""

    entry: LedgerEntry
    last_changed: datetime | None = None
    error: str = ""


def _entry(row: LedgerRow) -> LedgerEntry:
    return LedgerEntry(
        subscriber_hash=row.subscriber_hash,
        email=row.email,
        status=RemoteStatus(row.status),
        contact_id=row.contact_id,
        fingerprint=row.fingerprint,
        tags=frozenset(row.tags or ()),
        archived_by_us=row.archived_by_us,
        refused=row.refused,
    )


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _load(session: Session, integration_id: int, where: ColumnElement[bool] | None = None) -> list[LedgerRow]:
    query = select(LedgerRow).where(LedgerRow.integration_id == integration_id)
    if where is not None:
        query = query.where(where)
    return list(session.scalars(query))


def load_all(session: Session, integration_id: int) -> dict[str, LedgerEntry]:
    return {row.subscriber_hash: _entry(row) for row in _load(session, integration_id)}


def load_by_hashes(session: Session, integration_id: int, hashes: Collection[str]) -> dict[str, LedgerEntry]:
    found: dict[str, LedgerEntry] = {}
    for chunk in _chunks(sorted(hashes)):
        for row in _load(session, integration_id, LedgerRow.subscriber_hash.in_(chunk)):
            found[row.subscriber_hash] = _entry(row)
    return found


def load_by_contacts(
    session: Session, integration_id: int, contact_ids: Collection[int]
) -> dict[str, LedgerEntry]:
    found: dict[str, LedgerEntry] = {}
    for chunk in _chunks(sorted(contact_ids)):
        for row in _load(session, integration_id, LedgerRow.contact_id.in_(chunk)):
            found[row.subscriber_hash] = _entry(row)
    return found


def rows_for_contact(session: Session, contact_id: int, hashes: Collection[str]) -> list[LedgerRow]:
    """Every integration's row for the contact, or for one of its addresses (a shared address's owner
    may be another contact)."""
    query = select(LedgerRow).where(
        or_(LedgerRow.contact_id == contact_id, LedgerRow.subscriber_hash.in_(list(hashes)))
    )
    return list(session.scalars(query.order_by(LedgerRow.integration_id, LedgerRow.id)))


def count_by_status(session: Session, integration_id: int) -> dict[RemoteStatus, int]:
    query = (
        select(LedgerRow.status, func.count())
        .where(LedgerRow.integration_id == integration_id)
        .group_by(LedgerRow.status)
    )
    return {RemoteStatus(status): int(count) for status, count in session.execute(query)}


def contact_ids_by_tag(session: Session, integration_id: int, tags: Collection[str]) -> dict[str, set[int]]:
    """Which contacts carry each of ``tags`` in Mailchimp (to notice who entered or left a saved search)."""
    wanted = set(tags)
    index: dict[str, set[int]] = {tag: set() for tag in wanted}
    if not wanted:
        return index
    query = select(LedgerRow.contact_id, LedgerRow.tags).where(
        LedgerRow.integration_id == integration_id, LedgerRow.contact_id.is_not(None)
    )
    for contact_id, row_tags in session.execute(query):
        for tag in wanted.intersection(row_tags or ()):
            index[tag].add(int(contact_id or 0))
    return index


# Addresses Mailchimp still holds as members of the audience (whatever their consent status).
_PRESENT = (
    RemoteStatus.subscribed,
    RemoteStatus.pending,
    RemoteStatus.unsubscribed,
    RemoteStatus.cleaned,
    RemoteStatus.transactional,
)


def present_contact_ids(session: Session, integration_id: int) -> set[int]:
    """Contacts whose address is in the audience now (not archived, not deleted there)."""
    query = select(LedgerRow.contact_id).where(
        LedgerRow.integration_id == integration_id,
        LedgerRow.contact_id.is_not(None),
        LedgerRow.status.in_(_PRESENT),
    )
    return {contact_id for contact_id in session.scalars(query) if contact_id is not None}


def _values(integration_id: int, update: LedgerUpdate, synced_at: datetime) -> dict[str, Any]:
    entry = update.entry
    return {
        "integration_id": integration_id,
        "subscriber_hash": entry.subscriber_hash,
        "email": entry.email,
        "contact_id": entry.contact_id,
        "status": entry.status,
        "fingerprint": entry.fingerprint,
        "tags": sorted(entry.tags),
        "archived_by_us": entry.archived_by_us,
        "refused": entry.refused,
        "last_changed": update.last_changed,
        "last_synced_at": synced_at,
        "last_error": update.error,
    }


_KEEP_WHEN_UNKNOWN = ("last_changed",)


def save(session: Session, integration_id: int, updates: Iterable[LedgerUpdate], synced_at: datetime) -> None:
    """Insert or overwrite the members' rows; a missing ``last_changed`` keeps the stored one."""
    latest = {u.entry.subscriber_hash: u for u in updates}  # a later outcome for a member wins
    rows = [_values(integration_id, u, synced_at) for u in latest.values()]
    dialect = session.get_bind().dialect.name
    insert_factory = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for chunk in _chunks(rows):
        statement = insert_factory(LedgerRow).values(list(chunk))
        excluded = statement.excluded
        changes: dict[str, Any] = {
            name: excluded[name]
            for name in chunk[0]
            if name not in ("integration_id", "subscriber_hash", *_KEEP_WHEN_UNKNOWN)
        }
        changes["last_changed"] = func.coalesce(excluded["last_changed"], LedgerRow.last_changed)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[LedgerRow.integration_id, LedgerRow.subscriber_hash], set_=changes
            )
        )


def forget_hashes(session: Session, integration_id: int, hashes: Collection[str]) -> None:
    """Drop rows for addresses that no longer exist as such in Mailchimp (renamed members)."""
    for chunk in _chunks(sorted(hashes)):
        session.execute(
            delete(LedgerRow).where(
                LedgerRow.integration_id == integration_id, LedgerRow.subscriber_hash.in_(chunk)
            )
        )


def record_error(session: Session, integration_id: int, subscriber_hash: str, message: str) -> None:
    """Note the last error on a member we already know (an unknown member gets no row: no status)."""
    session.execute(
        update(LedgerRow)
        .where(LedgerRow.integration_id == integration_id, LedgerRow.subscriber_hash == subscriber_hash)
        .values(last_error=message)
    )
