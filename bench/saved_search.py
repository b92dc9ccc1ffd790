"""Saved searches over many contacts, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.saved_search [--contacts 1000000] [--repeat 5] [--only sqlite|postgresql]

Seeds each database (a temporary SQLite file; a dedicated PostgreSQL schema, dropped afterwards) with
``bench.seed``, then times typical searches warm: one run to warm the caches, then the median of
``--repeat`` runs of ``run_search`` (compile, fetch every matching id, count).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from bench.seed import seed
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.crm.searches import service
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.kit import migrate
from constituent.kit.db import make_engine, make_sessionmaker, normalise_url

POSTGRES_URL = os.environ.get(
    "CONSTITUENT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
AS_OF = date(2026, 11, 22)


def typical_searches(top_state: str) -> dict[str, dict[str, Any]]:
    last_year = AS_OF.year - 1
    return {
        f"state = {top_state} and donor": {
            "all": [
                {"field": "state", "op": "eq", "value": top_state},
                {"field": "gift_count", "op": "gte", "value": 1},
            ]
        },
        "city starts with 'North'": {"field": "city", "op": "starts_with", "value": "North"},
        f"total given >= 500 in {last_year}": {
            "field": "total_given",
            "op": "gte",
            "value": 500,
            "from": f"{last_year}-01-01",
            "to": f"{last_year}-12-31",
        },
        "in group 1": {"field": "in_group", "op": "eq", "value": 1},
        "email domain = gmail.com": {"field": "email_domain", "op": "eq", "value": "gmail.com"},
        "mailable, in groups 2/3 or yahoo, no gift in 365 days": {
            "all": [
                {"field": "kind", "op": "eq", "value": "individual"},
                {"field": "is_active", "op": "eq", "value": True},
                {"field": "do_not_email", "op": "eq", "value": False},
                {
                    "any": [
                        {"field": "in_group", "op": "in", "value": [2, 3]},
                        {"field": "email_domain", "op": "contains", "value": "yahoo"},
                    ]
                },
                {"not": {"field": "last_gift_date", "op": "gte", "value": {"days_ago": 365}}},
            ]
        },
        "last name contains 'son'": {"field": "last_name", "op": "contains", "value": "son"},
    }


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    action()  # warm the caches first: the figures are for a database in use, not a cold start
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure(engine: Engine, contacts: int, repeat: int) -> list[tuple[str, int, float]]:
    migrate.upgrade(engine)
    started = time.perf_counter()
    summary = seed(engine, contacts=contacts, seed=1, as_of=AS_OF)
    print(f"  seeded in {time.perf_counter() - started:.0f}s: {summary}")
    sessions = make_sessionmaker(engine)
    results = []
    with sessions() as session:
        ids = _create_searches(session)
        session.commit()
        for search in service.list_searches(session, today=AS_OF):
            if search.is_quick_list:
                ids[f"quick list: {search.name}"] = search.id
        session.commit()
        for name, search_id in ids.items():
            count = service.run_search(session, search_id, AS_OF).count
            seconds = median_seconds(lambda sid=search_id: service.run_search(session, sid, AS_OF), repeat)
            results.append((name, count, seconds))
        contact_id = contacts // 2
        seconds = median_seconds(
            lambda: service.matching_searches_for_contact(session, contact_id, AS_OF), repeat
        )
        results.append(("smart groups of one contact (all searches)", len(ids), seconds))
        started = time.perf_counter()
        members = service.evaluate_all(session, AS_OF)
        results.append(("evaluate_all (every search, once)", len(members), time.perf_counter() - started))
    return results


def _create_searches(session: Session) -> dict[str, int]:
    top_state = session.scalar(
        select(Contact.state).group_by(Contact.state).order_by(func.count().desc()).limit(1)
    )
    ids = {}
    for name, raw in typical_searches(str(top_state)).items():
        ids[name] = service.create_search(session, SavedSearchCreate(name=name, filter=raw)).id
    return ids


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory(prefix="bench-saved-search-") as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
        yield engine
        engine.dispose()


@contextmanager
def postgres_engine() -> Iterator[Engine]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, schema=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    backends = {"sqlite": sqlite_engine, "postgresql": postgres_engine}
    for name, make in backends.items():
        if args.only and name != args.only:
            continue
        print(f"\n{name}: {args.contacts:,} contacts")
        with make() as engine:
            rows = measure(engine, args.contacts, args.repeat)
        print(f"  | {'search':<58} | {'matches':>9} | {'median s':>8} |")
        print(f"  |{'-' * 60}|{'-' * 11}|{'-' * 10}|")
        for label, count, seconds in rows:
            print(f"  | {label:<58} | {count:>9,} | {seconds:>8.3f} |")


if __name__ == "__main__":
    main()
