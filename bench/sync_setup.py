"""Shared set-up of the sync benchmarks: a seeded database, 20 tags and 3 interests on top of it.

The seeded database is kept in a file named after its size (``--data-dir``), so reruns skip the
seeding; the searches and groups are added once, idempotently.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.seed import seed
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact, ContactKind, Email, EmailStatus
from constituent.crm.groups.models import Group
from constituent.crm.searches import service as searches
from constituent.crm.searches.models import SavedSearch
from constituent.kit import migrate
from constituent.kit.db import make_engine

AS_OF = date(2026, 11, 22)
# Share of seeded contacts that are eligible (active individuals, alive, emailable, good primary email).
ELIGIBLE_SHARE = 0.683
INTEREST_GROUPS = ("Volunteers", "Newsletter", "Monthly donors")


def custom_searches() -> dict[str, dict[str, Any]]:
    """15 searches of the kinds people save; with the 5 quick lists, 20 tags."""
    year = AS_OF.year
    return {
        "Illinois": {"field": "state", "op": "eq", "value": "IL"},
        "Texas or California": {"field": "state", "op": "in", "value": ["TX", "CA"]},
        "North cities": {"field": "city", "op": "starts_with", "value": "North"},
        "Gmail": {"field": "email_domain", "op": "eq", "value": "gmail.com"},
        "Yahoo": {"field": "email_domain", "op": "contains", "value": "yahoo"},
        "Volunteers": {"field": "in_group", "op": "eq", "value": 1},
        "Canvassers or phone bank": {"field": "in_group", "op": "in", "value": [3, 4]},
        "Gave 250+ last year": {
            "field": "total_given",
            "op": "gte",
            "value": 250,
            "from": f"{year - 1}-01-01",
            "to": f"{year - 1}-12-31",
        },
        "Three gifts or more": {"field": "gift_count", "op": "gte", "value": 3},
        "Gave in the last 30 days": {"field": "last_gift_date", "op": "gte", "value": {"days_ago": 30}},
        "Never gave": {"field": "last_gift_date", "op": "is_empty", "value": True},
        "Joined this year": {"field": "created_at", "op": "gte", "value": f"{year}-01-01"},
        "Last name Smith": {"field": "last_name", "op": "eq", "value": "Smith"},
        "Has a postal code": {"field": "postal_code", "op": "is_empty", "value": False},
        "Lapsed volunteers": {
            "all": [
                {"field": "in_group", "op": "eq", "value": 1},
                {"not": {"field": "last_gift_date", "op": "gte", "value": {"days_ago": 365}}},
            ]
        },
    }


@dataclass
class BenchDatabase:
    url: str
    engine: Engine
    contacts: int
    eligible: int


def seeded_database(data_dir: Path, eligible: int) -> BenchDatabase:
    """A SQLite database with about ``eligible`` eligible contacts (seeded once, then reused)."""
    contacts = round(eligible / ELIGIBLE_SHARE)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"sync-{contacts}.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        present = session.scalar(select(func.count()).select_from(Contact)) or 0
    if not present:
        started = time.perf_counter()
        summary = seed(engine, contacts=contacts, seed=1, as_of=AS_OF)
        print(f"seeded {summary.contacts:,} contacts in {time.perf_counter() - started:.0f} s")
    with Session(engine) as session:
        add_searches(session)
        session.commit()
        count = eligible_count(session)
    return BenchDatabase(url, engine, contacts, count)


def add_searches(session: Session) -> None:
    searches.list_searches(session, today=AS_OF)  # the quick lists
    known = set(session.scalars(select(SavedSearch.name)))
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    for name, raw in custom_searches().items():
        if name not in known:
            session.add(SavedSearch(name=name, filter=raw, created_at=stamp, updated_at=stamp))
    session.flush()


def interest_group_ids(session: Session) -> list[int]:
    rows = session.execute(select(Group.id, Group.name).where(Group.name.in_(INTEREST_GROUPS)))
    by_name = {name: group_id for group_id, name in rows}
    return [by_name[name] for name in INTEREST_GROUPS]


def eligible_count(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(Contact)
        .join(Email, (Email.contact_id == Contact.id) & Email.is_primary & (Email.status == EmailStatus.ok))
        .where(
            Contact.kind == ContactKind.individual,
            Contact.is_active,
            ~Contact.is_deceased,
            ~Contact.do_not_email,
        )
    )
    return session.scalar(query) or 0
