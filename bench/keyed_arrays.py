"""A keyed lookup's keys sent to PostgreSQL as a list (psycopg adapts each element) or as the array's
text (``kit.keyed.array_text``), side by side (issue 17: adapting lists was 7% of a first sync's CPU);
and a chunk of the ledger's bulk write, its 16 columns as binary lists or as texts (``column_text``).

    PYTHONPATH=. .venv/bin/python bench/keyed_arrays.py [--runs 300]

Each statement unnests the keys on the server and counts them (no table read), so the figure is the
cost of sending them: this process's CPU and the wall time of a round trip, per statement. The keys a
first sync sends: a batch page's 500 subscriber hashes, and a slice's 5,000 contact ids. The ledger
chunk: 5,000 rows as a first sync's answers store them (``ledger_upsert``'s statement, without the
INSERT), the columns made from the rows for each statement as the write does.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.sync_setup import POSTGRES_SERVER
from bench.sync_timeline import process_cpu
from sqlalchemy import Integer, String, bindparam, func, select
from sqlalchemy.dialects import postgresql

from constituent.integrations.mailchimp.sync import ledger_upsert
from constituent.integrations.mailchimp.sync.ledger_upsert import COLUMNS, LedgerValues
from constituent.kit.db import make_engine
from constituent.kit.keyed import pg_array

HASHES = [hashlib.md5(str(i).encode(), usedforsecurity=False).hexdigest() for i in range(500)]
IDS = list(range(100_000, 105_000))


def as_list(values: list[Any], item: Any) -> Any:
    """What the lookups sent before: a list parameter of the array type, adapted by psycopg."""
    return bindparam(None, values, type_=postgresql.ARRAY(item))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    engine = make_engine(f"{POSTGRES_SERVER}/postgres")
    cases: list[tuple[str, list[Any], Any]] = [
        ("500 hashes", HASHES, String(32)),
        ("5,000 ids", IDS, Integer()),
    ]
    print("| keys | sent as | this process's CPU a statement | wall a statement |")
    print("|---|---|---|---|")
    with engine.connect() as connection:
        for label, values, item in cases:
            for kind, make in (("a list", as_list), ("the array's text", pg_array)):
                keys = functools.partial(make, values, item)
                cpu, wall = _timed(connection, keys, args.runs, len(values))
                print(f"| {label} | {kind} | {cpu * 1000:.3f} ms | {wall * 1000:.3f} ms |")
        _ledger_chunk(connection, max(args.runs // 10, 5))
    engine.dispose()


def _ledger_chunk(connection: Any, runs: int) -> None:
    now = datetime.now(UTC)
    rows = [
        LedgerValues(
            1,
            f"{n:032x}",
            f"m{n}@mailbox.org",
            n,
            "subscribed",
            f"{n:016x}",
            '["Gmail"]',
            False,
            "",
            "none",
            None,
            f"p{n:09}",
            False,
            now,
            now,
            "",
        )
        for n in range(5_000)
    ]
    unnest = ", ".join(f"%({c})s::{ledger_upsert._PG_TYPES[c]}[]" for c in COLUMNS)
    binary = unnest.replace(")s::", ")b::")
    cursor = connection.connection.dbapi_connection.cursor()
    backend = cursor.execute("SELECT pg_backend_pid()").fetchone()[0]  # its CPU: the server's share
    lists = functools.partial(_as_lists, rows)
    texts = functools.partial(ledger_upsert._arrays, rows)
    for kind, placeholders, make in (("binary lists", binary, lists), ("the arrays' texts", unnest, texts)):
        sql = f"SELECT count(*) FROM unnest({placeholders})"
        cursor.execute(sql, make())
        cpu, wall, server = time.process_time(), time.perf_counter(), process_cpu(backend)
        for _ in range(runs):
            cursor.execute(sql, make())
            assert cursor.fetchone()[0] == len(rows)
        server = (process_cpu(backend) - server) / runs
        cpu, wall = (time.process_time() - cpu) / runs, (time.perf_counter() - wall) / runs
        times = f"{cpu * 1000:.3f} ms | {wall * 1000:.3f} ms (the server's CPU {server * 1000:.1f} ms)"
        print(f"| a ledger chunk, 5,000 rows × 16 columns | {kind} | {times} |")
    cursor.close()


def _as_lists(rows: list[LedgerValues]) -> dict[str, list[Any]]:
    """What the bulk write sent before session 19: each column a list psycopg dumps element by element."""
    return {name: list(values) for name, values in zip(COLUMNS, zip(*rows, strict=True), strict=True)}


def _timed(connection: Any, keys: Callable[[], Any], runs: int, expected: int) -> tuple[float, float]:
    def once() -> None:
        counted = connection.execute(select(func.count()).select_from(func.unnest(keys()))).scalar_one()
        assert counted == expected

    once()  # the statement compiled and prepared
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(runs):
        once()
    return (time.process_time() - cpu) / runs, (time.perf_counter() - wall) / runs


if __name__ == "__main__":
    main()
