"""Keyed lookups by a list of integer keys, cheap on both databases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session


def among(session: Session, column: Any, values: Sequence[int]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``= ANY`` of one array parameter, which SQLAlchemy does not
    expand into a parameter per value and the server does not plan value by value (keep ``values`` to
    a few thousand on SQLite, whose statements take at most 32,766 parameters)."""
    if session.get_bind().dialect.name == "postgresql":
        # An array of the column's own type: integer = ANY(bigint[]) is only a filter, not an index
        # condition, and each row is then compared with every value.
        keys = bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        matches: ColumnElement[bool] = column == any_(keys)
        return matches
    inside: ColumnElement[bool] = column.in_(list(values))
    return inside
