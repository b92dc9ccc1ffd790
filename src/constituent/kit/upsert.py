"""INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL: race-free "create unless it exists"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session


def insert_unless_exists(
    session: Session,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    *,
    unique: InstrumentedAttribute[Any] | Column[Any],
) -> int | None:
    """Insert a row and return its id, or None when a row with the same ``unique`` value already exists.

    A check-then-insert would let two concurrent writers both pass the check; the database decides here.
    """
    dialect = session.get_bind().dialect.name
    insert_factory = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Insert = (
        insert_factory(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[unique])
        .returning(model.__table__.c.id)
    )
    return session.execute(statement).scalar_one_or_none()


def insert_many_unless_exists(
    session: Session,
    model: type[DeclarativeBase],
    rows: list[dict[str, Any]],
    *,
    unique: InstrumentedAttribute[Any] | Column[Any],
    chunk: int = 500,
) -> int:
    """Insert many rows in multi-row statements, skipping those whose ``unique`` value exists already.

    Returns how many were inserted. Chunked so that no statement passes SQLite's bound-parameter limit.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert_factory = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = 0
    for start in range(0, len(rows), chunk):
        statement: Insert = (
            insert_factory(model)
            .values(rows[start : start + chunk])
            .on_conflict_do_nothing(index_elements=[unique])
            .returning(model.__table__.c.id)
        )
        inserted += len(session.execute(statement).all())
    return inserted
