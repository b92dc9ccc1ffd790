"""The change log: who or what changed which field of a contact (or its emails and memberships), and when.

Services call the writers in the same transaction as the change itself, so the log never claims a change
that was rolled back. Values are stored as text: the log is for people to read, not to replay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from constituent.crm.activities.models import ChangeLogEntry
from constituent.kit.clock import utcnow

TABLE = ChangeLogEntry.metadata.tables[ChangeLogEntry.__tablename__]

CREATED = "created"
DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Change:
    """One field of one entity going from ``old`` to ``new``; the unit the bulk writer takes."""

    contact_id: int | None
    entity: str
    entity_id: int | None
    field: str
    old: Any
    new: Any


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def record_change(session: Session, change: Change, actor: str) -> None:
    session.add(
        ChangeLogEntry(
            contact_id=change.contact_id,
            entity=change.entity,
            entity_id=change.entity_id,
            field=change.field,
            old_value=as_text(change.old),
            new_value=as_text(change.new),
            changed_by=actor,
            changed_at=utcnow(),
        )
    )


def entry_rows(changes: Iterable[Change], actor: str) -> list[dict[str, Any]]:
    """Change-log rows ready for a bulk INSERT (the importer writes them with its own bulk path)."""
    now = utcnow()
    return [
        {
            "contact_id": c.contact_id,
            "entity": c.entity,
            "entity_id": c.entity_id,
            "field": c.field,
            "old_value": as_text(c.old),
            "new_value": as_text(c.new),
            "changed_by": actor,
            "changed_at": now,
        }
        for c in changes
    ]


def record_changes(session: Session, changes: Iterable[Change], actor: str) -> int:
    """Bulk writer for group operations on many contacts: one INSERT for all rows."""
    rows = entry_rows(changes, actor)
    if rows:
        session.execute(insert(TABLE), rows)
    return len(rows)


def apply_and_record(
    session: Session,
    target: Any,
    values: Mapping[str, Any],
    *,
    contact_id: int | None,
    entity: str,
    actor: str,
) -> list[str]:
    """Set ``values`` on ``target`` and log each field whose value really changes; returns those fields."""
    changed = []
    for field, new in values.items():
        old = getattr(target, field)
        if old == new:
            continue
        setattr(target, field, new)
        record_change(session, Change(contact_id, entity, target.id, field, old, new), actor)
        changed.append(field)
    return changed


def changes_for_contact(session: Session, contact_id: int, *, limit: int = 200) -> list[ChangeLogEntry]:
    """The newest changes first (the contact page and the API show this)."""
    query = (
        select(ChangeLogEntry)
        .where(ChangeLogEntry.contact_id == contact_id)
        .order_by(ChangeLogEntry.changed_at.desc(), ChangeLogEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
