"""The importer's and exporter's queries: bulk inserts with ids reserved up front, and batched reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from psycopg import sql
from sqlalchemy import Table, func, select, text, update
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


def contacts_by_external_id(session: Session, external_ids: Sequence[str]) -> dict[str, Contact]:
    if not external_ids:
        return {}
    query = select(Contact).where(Contact.external_id.in_(external_ids)).options(selectinload(Contact.emails))
    return {contact.external_id or "": contact for contact in session.scalars(query)}


def contact_batches(session: Session, size: int) -> Iterator[list[Contact]]:
    """All contacts in id order, a batch at a time (keyset pagination: memory stays flat)."""
    last_id = 0
    while True:
        query = (
            select(Contact)
            .where(Contact.id > last_id)
            .order_by(Contact.id)
            .limit(size)
            .options(selectinload(Contact.emails))
        )
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
