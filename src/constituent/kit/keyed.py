"""Keyed lookups by a list of keys, cheap on both databases: the keys travel as ONE parameter."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, any_, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType, TypeEngine


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
        matches: ColumnElement[bool] = column == any_(pg_array(values, column.type))
        return matches
    keys_text: BindParameter[str] = bindparam(None, json.dumps(list(values)))
    # Named: an anonymous alias draws its name from os.urandom, a system call that lets go of the GIL
    # (and, in a run's writer or planner thread, waits to take it back).
    listed = func.json_each(keys_text).table_valued("value", name="keys")
    inside: ColumnElement[bool] = column.in_(select(listed.c.value))
    return inside


def pg_array(values: Sequence[int] | Sequence[str], item_type: TypeEngine[Any]) -> ColumnElement[Any]:
    """PostgreSQL: ``values`` as one array parameter of ``item_type``, sent as the array's text.

    psycopg adapts a list element by element in Python (for a text array, a regular expression each):
    7% of a PostgreSQL first sync's own CPU. A statement with 500 addresses' hashes cost this process
    1.1 ms, with their text 0.28 ms; with 5,000 contact ids 4.3 ms against 1.1 ms (``bench/keyed_arrays.py``).
    The server reads the text as it reads any array literal: ``CAST`` keeps the column's own type, so
    the statement is planned as before (an index condition, EXPLAINed in ``tests/kit/test_keyed.py``).
    """
    # Untyped: sent as psycopg's "unknown", the parameter takes the array type from the CAST and is read
    # once, as a constant. Typed as text, the CAST would be an I/O conversion the planner does not fold,
    # made again for every row a filter compares (6 s for a 7,000-id lookup of 20,161 ledger rows).
    literal: BindParameter[Any] = bindparam(None, array_text(values), type_=NullType())
    return cast(literal, postgresql.ARRAY(item_type))


def array_text(values: Sequence[int] | Sequence[str]) -> str:
    """PostgreSQL's text of a one-dimensional array: strings quoted (so a comma, a brace, a space or the
    word NULL inside one is its own text), with backslashes and double quotes escaped."""
    if not values:
        return "{}"
    if isinstance(values[0], int):
        return "{" + ",".join(map(str, values)) + "}"
    texts: Sequence[str] = values  # type: ignore[assignment]
    whole = "".join(texts)
    if '"' not in whole and "\\" not in whole:
        return '{"' + '","'.join(texts) + '"}'
    return "{" + ",".join(map(_quoted, texts)) + "}"


def column_text(values: Sequence[Any], pg_type: str) -> str:
    """PostgreSQL's text of a one-dimensional array of one column's values, None as NULL: how the ledger's
    bulk writes send each column (``ledger_upsert``). psycopg dumped a list element by element in Python:
    8% of a PostgreSQL first sync's samples holding the GIL (docs/BENCHMARKS.md, session 19).
    ``pg_type`` is the array's element type as the statement casts it: integer, boolean, timestamptz,
    text or json."""
    if not values:
        return "{}"
    if pg_type == "boolean":
        return "{" + ",".join("NULL" if v is None else "t" if v else "f" for v in values) + "}"
    if pg_type == "timestamptz":
        # A page's rows share a few times: each one's text is made once.
        texts = {v: _time_element(v) for v in set(values)}
        return "{" + ",".join(map(texts.__getitem__, values)) + "}"
    if None not in values:
        return array_text(values)
    if pg_type == "integer":
        return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
    return "{" + ",".join("NULL" if v is None else _quoted(v) for v in values) + "}"


def _time_element(value: datetime | None) -> str:
    return "NULL" if value is None else '"' + value.isoformat() + '"'


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
