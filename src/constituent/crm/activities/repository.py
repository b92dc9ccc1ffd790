"""Queries for activities on a contact."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from constituent.crm.activities.models import Activity
from constituent.crm.contacts.models import Contact
from constituent.kit.upsert import insert_many_unless_exists, insert_unless_exists


def add(session: Session, activity: Activity) -> None:
    session.add(activity)
    session.flush()


def insert_deduplicated(session: Session, values: dict[str, Any]) -> None:
    """Insert unless an activity with the same dedupe_key already exists (then nothing changes)."""
    insert_unless_exists(session, Activity, values, unique=Activity.dedupe_key)


def get_by_dedupe_key(session: Session, dedupe_key: str) -> Activity:
    return session.scalars(select(Activity).where(Activity.dedupe_key == dedupe_key)).one()


def contact_exists(session: Session, contact_id: int) -> bool:
    return session.scalar(select(Contact.id).where(Contact.id == contact_id)) is not None


def list_for_contact(
    session: Session, contact_id: int, *, limit: int, offset: int
) -> tuple[Sequence[Activity], int]:
    where = Activity.contact_id == contact_id
    total = session.scalar(select(func.count()).select_from(Activity).where(where)) or 0
    page = session.scalars(
        select(Activity)
        .where(where)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return page, total


def insert_many_deduplicated(session: Session, rows: list[dict[str, Any]]) -> int:
    """Bulk insert; rows whose dedupe_key already exists are skipped. Returns how many were inserted."""
    return insert_many_unless_exists(session, Activity, rows, unique=Activity.dedupe_key)


def set_details_by_dedupe_key(session: Session, details: dict[str, dict[str, Any]]) -> None:
    """Replace the details of the activities with these dedupe keys (one statement, sent as executemany)."""
    if not details:
        return
    table = cast(Table, Activity.__table__)
    statement = (
        update(table).where(table.c.dedupe_key == bindparam("key")).values(details=bindparam("new_details"))
    )
    rows = [{"key": key, "new_details": value} for key, value in details.items()]
    session.execute(statement, rows)
