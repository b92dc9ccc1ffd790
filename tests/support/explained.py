"""EXPLAIN every SELECT a piece of code runs, on the spot: the test then asserts on the plans (a full scan
where a keyed lookup belongs is a cost that grows with the table, not with the work)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


@contextmanager
def explained_selects(session: Session, tables: str) -> Iterator[list[tuple[str, str]]]:
    """(statement, plan) of every SELECT (or WITH … SELECT) naming one of ``tables`` (a regex alternation)
    run meanwhile, explained on the same connection, so temporary tables the statement reads still exist."""
    plans: list[tuple[str, str]] = []
    prefix = "EXPLAIN QUERY PLAN " if session.get_bind().dialect.name == "sqlite" else "EXPLAIN "
    names = re.compile(rf"\b({tables})\b")

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if (
            many
            or not statement.lstrip().upper().startswith(("SELECT", "WITH"))
            or not names.search(statement)
        ):
            return
        raw = cursor.connection.cursor()
        raw.execute(prefix + statement, parameters)
        plans.append((statement, "\n".join(" ".join(str(part) for part in row) for row in raw.fetchall())))
        raw.close()

    connection = session.connection()
    event.listen(connection, "after_cursor_execute", explain)
    try:
        yield plans
    finally:
        event.remove(connection, "after_cursor_execute", explain)
