"""The importer's and exporter's queries: bulk inserts with ids reserved up front, and batched reads."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from psycopg import sql
from sqlalchemy import Select, Table, func, select, text, tuple_, update
from sqlalchemy.orm import Session, selectinload

from constituent.crm.contacts.models import Contact, Email
from constituent.crm.groups.models import Group, GroupMembership, MembershipStatus


def _lock_for_writing(session: Session, table: Table) -> None:
    # SQLite starts a write transaction lazily; a no-op UPDATE takes the write lock now, so no other
    # writer can insert between reading max(id) and our INSERT (the lock lasts until commit).
    session.execute(update(table).where(text("0 = 1")).values({table.c.id: table.c.id}))


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """Ids for ``count`` new rows, so bulk INSERTs need no RETURNING (which SQLite runs row by row)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
        return list(session.scalars(query, {"table": table.name, "n": count}))
    _lock_for_writing(session, table)
    start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk INSERT (COPY on PostgreSQL) with each column's conversion done once per distinct value.

    SQLAlchemy converts every value of every row (on SQLite a datetime becomes a string, a bool an
    int); at hundreds of thousands of rows that was most of the import's time, although a chunk's
    timestamps, flags and enums take only a handful of distinct values.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect
    columns = list(rows[0])
    converters = [
        _memoised(table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in columns
    ]
    values = [[convert(row[name]) for name, convert in zip(columns, converters, strict=True)] for row in rows]
    if dialect.name == "postgresql":
        _copy(session, table, columns, values)
    else:
        _execute_many(session, table, columns, values)


def _execute_many(session: Session, table: Table, columns: list[str], values: list[list[Any]]) -> None:
    compiled = table.insert().compile(dialect=session.get_bind().dialect, column_keys=columns)
    # The compiled statement's positional order may differ from ours; reorder each row to it.
    order = [columns.index(name) for name in compiled.positiontup or columns]
    session.connection().exec_driver_sql(str(compiled), [tuple(row[i] for i in order) for row in values])


def _copy(session: Session, table: Table, columns: list[str], values: list[list[Any]]) -> None:
    # COPY is PostgreSQL's bulk path: several times faster than any INSERT, in the same transaction.
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    )
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in values:
            copy.write_row(row)


def _memoised(processor: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if processor is None:
        return _unchanged
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value not in seen:
            seen[value] = processor(value)
        return seen[value]

    return convert


def _unchanged(value: Any) -> Any:
    return value


def contact_ids_by_external_id(session: Session, external_ids: Sequence[str]) -> dict[str, int]:
    if not external_ids:
        return {}
    query = select(Contact.external_id, Contact.id).where(Contact.external_id.in_(external_ids))
    return {external_id or "": contact_id for external_id, contact_id in session.execute(query)}


def contact_ids_by_email(session: Session, normalized: Sequence[str]) -> dict[str, set[int]]:
    """Every contact holding each address (primary or not): an address may be shared."""
    found: dict[str, set[int]] = {}
    if not normalized:
        return found
    query = select(Email.address_normalized, Email.contact_id).where(
        Email.address_normalized.in_(set(normalized))
    )
    for address, contact_id in session.execute(query):
        found.setdefault(address, set()).add(contact_id)
    return found


def contact_ids_by_name_and_postal_code(
    session: Session, names: Collection[tuple[str, str]]
) -> dict[str, set[int]]:
    """Contacts by "n:first|last|postal code" (lower-cased), for rows with no email or external id."""
    found: dict[str, set[int]] = {}
    if not names:
        return found
    query = select(Contact.id, Contact.first_name, Contact.last_name, Contact.postal_code).where(
        tuple_(Contact.first_name, Contact.last_name).in_(list(names))
    )
    for contact_id, first, last, postal_code in session.execute(query):
        key = "n:" + "|".join(part.lower() for part in (first, last, postal_code))
        found.setdefault(key, set()).add(contact_id)
    return found


def contacts_with_emails(session: Session, ids: Collection[int]) -> dict[int, Contact]:
    if not ids:
        return {}
    query = select(Contact).where(Contact.id.in_(list(ids))).options(selectinload(Contact.emails))
    return {contact.id: contact for contact in session.scalars(query)}


def groups_by_lower_name(session: Session, names: Collection[str]) -> dict[str, tuple[int, str]]:
    """Existing groups whose name equals one of ``names`` ignoring case: lower name -> (id, name)."""
    if not names:
        return {}
    lowered = {name.lower() for name in names}
    query = select(Group.id, Group.name).where(
        func.lower(Group.name).in_(lowered), Group.deleted_at.is_(None)
    )
    return {name.lower(): (group_id, name) for group_id, name in session.execute(query)}


def contact_batches(session: Session, size: int, only: Select[int] | None = None) -> Iterator[list[Contact]]:
    """All contacts (or those whose id ``only`` selects) in id order, a batch at a time (keyset
    pagination: memory stays flat)."""
    last_id = 0
    while True:
        query = (
            select(Contact)
            .where(Contact.id > last_id)
            .order_by(Contact.id)
            .limit(size)
            .options(selectinload(Contact.emails))
        )
        if only is not None:
            query = query.where(Contact.id.in_(only))
        batch = list(session.scalars(query))
        if not batch:
            return
        yield batch
        last_id = batch[-1].id
        session.expunge_all()


def current_group_names(session: Session, contact_ids: Sequence[int]) -> dict[int, list[str]]:
    query = (
        select(GroupMembership.contact_id, Group.name)
        .join(Group, Group.id == GroupMembership.group_id)
        .where(GroupMembership.status == MembershipStatus.added, GroupMembership.contact_id.in_(contact_ids))
        .order_by(GroupMembership.contact_id, Group.name)
    )
    names: dict[int, list[str]] = {}
    for contact_id, name in session.execute(query):
        names.setdefault(contact_id, []).append(name)
    return names


CONTACTS = Contact.metadata.tables[Contact.__tablename__]
EMAILS = Email.metadata.tables[Email.__tablename__]
MEMBERSHIPS = GroupMembership.metadata.tables[GroupMembership.__tablename__]
