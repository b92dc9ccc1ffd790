"""Keyed lookups by a list of keys, cheap on both databases: the keys travel as ONE parameter."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session


def among(session: Session, column: Any, values: Sequence[int] | Sequence[str]) -> ColumnElement[bool]:
    """``column IN values`` with the values as one parameter, never one per value.

    A parameter per value (SQLAlchemy's expanding IN) is rendered into the statement and bound value by
    value at every execution: a first sync of 20,161 members bound 78,729 of them, 0.16 s of the main
    thread's time. PostgreSQL gets ``= ANY`` of one array, which its planner also does not plan value
    by value; SQLite ``IN (SELECT value FROM json_each(?))`` of one JSON array, which it probes the
    column's index with (both EXPLAINed in ``tests/kit/test_keyed.py``).
    """
    if session.get_bind().dialect.name == "postgresql":
        # An array of the column's own type: integer = ANY(bigint[]) is only a filter, not an index
        # condition, and each row is then compared with every value.
        keys = bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        matches: ColumnElement[bool] = column == any_(keys)
        return matches
    keys_text: BindParameter[str] = bindparam(None, json.dumps(list(values)))
    # Named: an anonymous alias draws its name from os.urandom, a system call that lets go of the GIL
    # (and, in a run's writer or planner thread, waits to take it back).
    listed = func.json_each(keys_text).table_valued("value", name="keys")
    inside: ColumnElement[bool] = column.in_(select(listed.c.value))
    return inside
