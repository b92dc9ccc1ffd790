"""INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL: race-free "create unless it exists"."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Column, Insert, Table
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
) -> int:
    """Insert many rows, skipping those whose ``unique`` value exists already; returns how many were new.

    One statement compiled once and sent as executemany: SQLAlchemy batches it into multi-row INSERTs
    ("insertmanyvalues", within SQLite's bound-parameter limit) and collects RETURNING from every batch.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert_factory = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, model.__table__)
    statement = insert_factory(table).on_conflict_do_nothing(index_elements=[unique]).returning(table.c.id)
    return len(session.execute(statement, rows).all())
