"""Every query about saved searches, and the execution of compiled filters."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.crm.groups.models import Group
from constituent.crm.organization import repository as organization
from constituent.crm.organization.models import DEFAULT_MAJOR_DONOR_THRESHOLD
from constituent.crm.searches.models import SavedSearch


def get(session: Session, search_id: int) -> SavedSearch | None:
    return session.get(SavedSearch, search_id)


def get_by_name(session: Session, name: str) -> SavedSearch | None:
    return session.scalar(select(SavedSearch).where(SavedSearch.name == name))


def list_all(session: Session) -> Sequence[SavedSearch]:
    # Quick lists first (in the order they were created), then people's own searches by name.
    quick_first = case((SavedSearch.quick_list.is_(None), 1), else_=0)
    return session.scalars(select(SavedSearch).order_by(quick_first, SavedSearch.name, SavedSearch.id)).all()


def quick_list_keys(session: Session) -> set[str]:
    keys = session.scalars(select(SavedSearch.quick_list).where(SavedSearch.quick_list.is_not(None)))
    return {key for key in keys if key is not None}


def add_unless_taken(session: Session, values: dict[str, Any]) -> SavedSearch | None:
    """Insert a search, or nothing when its name or quick-list key is already taken (also by a
    concurrent transaction: the database decides, so two syncs starting at once cannot both add it)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(SavedSearch).values(**values).on_conflict_do_nothing().returning(SavedSearch.id)
    search_id = session.execute(statement).scalar_one_or_none()
    return None if search_id is None else session.get(SavedSearch, search_id)


def add(session: Session, search: SavedSearch) -> SavedSearch:
    session.add(search)
    session.flush()
    return search


def delete(session: Session, search: SavedSearch) -> None:
    session.delete(search)
    session.flush()


def existing_group_ids(session: Session, group_ids: Sequence[int]) -> set[int]:
    return set(session.scalars(select(Group.id).where(Group.id.in_(group_ids), Group.deleted_at.is_(None))))


def major_donor_threshold(session: Session) -> Decimal:
    settings = organization.get(session)
    # No row in a database built from the models (the tests') until the settings are first read; migration
    # 0030 gives every migrated database its row. The column's default then.
    return DEFAULT_MAJOR_DONOR_THRESHOLD if settings is None else settings.major_donor_threshold


# PostgreSQL only hashes a subquery (e.g. ``id NOT IN (donors)``) when the hash fits in work_mem; past
# that it rescans the subquery for every contact, which over a million contacts never finishes. The
# default 4MB holds about 100,000 ids; this holds several million, for this transaction only.
SEARCH_WORK_MEM = "256MB"


def make_room_for_subqueries(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{SEARCH_WORK_MEM}'"))


def matching_ids(session: Session, query: Select[int]) -> list[int]:
    """Every matching id, ascending. Sorted here, not by ORDER BY: asking the database for id order
    makes SQLite walk the whole table in rowid order instead of using the index that finds the rows."""
    make_room_for_subqueries(session)
    return sorted(session.scalars(query))


def truths_for_contact(
    session: Session, contact_id: int, predicates: Sequence[ColumnElement[bool]]
) -> list[bool] | None:
    """Evaluate several predicates on one contact in a single SELECT; None if no such contact."""
    columns = [case((predicate, 1), else_=0) for predicate in predicates]
    row = session.execute(select(*columns).where(Contact.id == contact_id)).first()
    return None if row is None else [bool(value) for value in row]
