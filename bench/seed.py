"""Fast, reproducible bulk data for benchmarks: contacts with emails, groups, memberships and gifts.

    from bench.seed import seed
    seed(engine, contacts=1_000_000, seed=1)

or from the shell (creates the schema when the database is empty):

    .venv/bin/python -m bench.seed --url sqlite:///data/bench.db --contacts 1000000

Rows are generated in Python from small pools (so 1M contacts take seconds, not Faker's minutes) and
written with the fastest path each database has: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.
The same ``seed`` and ``as_of`` always give the same data on both databases.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate, islice
from typing import Any

from faker import Faker
from sqlalchemy import Column, Engine, Table, func, select, text

from constituent.kit import migrate
from constituent.kit.clock import today
from constituent.kit.db import UTCDateTime, make_engine
from constituent.models import Contact, Contribution, Email, Group, GroupMembership

BATCH_ROWS = 50_000
YEARS_OF_HISTORY = 5
DONOR_SHARE = 0.30
EMAIL_SHARE = 0.88
SECOND_EMAIL_SHARE = 0.15
COMMON_DOMAINS = {
    "gmail.com": 35,
    "yahoo.com": 12,
    "hotmail.com": 7,
    "outlook.com": 7,
    "icloud.com": 5,
    "aol.com": 3,
    "comcast.net": 3,
}
GROUP_NAMES = [
    "Volunteers",
    "Newsletter",
    "Canvassers",
    "Phone bank",
    "Event attendees",
    "Board",
    "Monthly donors",
    "Yard signs",
    "Precinct captains",
    "Petition signers",
    "Press",
    "Endorsers",
]
GIFT_AMOUNTS = [5, 10, 15, 25, 35, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000]
GIFT_WEIGHTS = [6, 12, 6, 20, 8, 16, 6, 12, 3, 6, 3, 1.5, 0.4, 0.1]


@dataclass
class SeedSummary:
    contacts: int = 0
    emails: int = 0
    groups: int = 0
    memberships: int = 0
    contributions: int = 0
    seconds: float = 0.0


@dataclass
class _Pools:
    """Small pools drawn from Faker once; rows then pick from them at Python speed."""

    first_names: list[str]
    last_names: list[str]
    companies: list[str]
    streets: list[str]
    places: list[tuple[str, str, str]]  # city, state, postal code
    place_weights: list[float]
    domains: list[str]
    domain_cumulative: list[float]  # cumulative weights: each draw is a bisect, not a sum over 300

    @classmethod
    def build(cls, seed: int) -> _Pools:
        fake = Faker("en_US")
        fake.seed_instance(seed)
        rng = random.Random(seed)
        states = sorted({fake.state_abbr(include_territories=False) for _ in range(400)})
        # A few big states and many small ones, as in real lists.
        shuffled = rng.sample(states, len(states))
        state_weight = {state: 1.0 / (rank + 1) ** 0.8 for rank, state in enumerate(shuffled)}
        places = [(fake.city(), rng.choice(states), fake.postcode()) for _ in range(1500)]
        org_domains = sorted({fake.domain_name() for _ in range(300)} - set(COMMON_DOMAINS))
        domain_weights = [*COMMON_DOMAINS.values(), *([28 / len(org_domains)] * len(org_domains))]
        return cls(
            first_names=sorted({fake.first_name() for _ in range(1000)}),
            last_names=sorted({fake.last_name() for _ in range(1000)}),
            companies=sorted({fake.company() for _ in range(500)}),
            streets=[fake.street_address() for _ in range(1000)],
            places=places,
            place_weights=[state_weight[state] * rng.random() for _, state, _ in places],
            domains=[*COMMON_DOMAINS, *org_domains],
            domain_cumulative=list(accumulate(domain_weights)),
        )


class _Generator:
    def __init__(self, rng: random.Random, pools: _Pools, as_of: date, contacts: int) -> None:
        self.rng, self.pools, self.as_of, self.contacts = rng, pools, as_of, contacts
        self.summary = SeedSummary()
        self.history_start = datetime(as_of.year - YEARS_OF_HISTORY, 1, 1, tzinfo=UTC)
        as_of_midnight = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
        self.history_seconds = int((as_of_midnight - self.history_start).total_seconds())

    def groups(self) -> Iterator[tuple[Any, ...]]:
        for group_id, name in enumerate(GROUP_NAMES, start=1):
            yield (group_id, name, "", self.history_start, None)  # not deleted

    def contact_rows(self) -> Iterator[tuple[Any, ...]]:
        """Contacts, and on the side their emails, memberships and gifts (kept for the next tables)."""
        rng, pools = self.rng, self.pools
        kinds = rng.choices(["individual", "organization", "vendor"], [90, 8, 2], k=self.contacts)
        places = rng.choices(pools.places, pools.place_weights, k=self.contacts)
        for contact_id in range(1, self.contacts + 1):
            kind = kinds[contact_id - 1]
            first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
            company = rng.choice(pools.companies) if kind != "individual" or rng.random() < 0.2 else ""
            if kind != "individual":
                first, last = ("", "") if rng.random() < 0.7 else (first, last)
            created = self.history_start + timedelta(seconds=rng.randrange(self.history_seconds))
            city, state, postal = places[contact_id - 1]
            yield (
                contact_id,
                kind,
                first,
                last,
                company,
                rng.random() < 0.95,
                rng.random() < 0.01,
                rng.random() < 0.05,
                rng.choice(pools.streets),
                city,
                state,
                postal,
                "US",
                f"555-{rng.randrange(10_000):04d}",
                f"bench-{contact_id}",
                "bench",
                created,
                created,
            )

    def email_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, pools = self.rng, self.pools
        email_id = 0
        for contact_id in range(1, self.contacts + 1):
            if rng.random() >= EMAIL_SHARE:
                continue
            count = 2 if rng.random() < SECOND_EMAIL_SHARE else 1
            domains = rng.choices(pools.domains, cum_weights=pools.domain_cumulative, k=count)
            stamp = self._stamp()
            for index, domain in enumerate(domains):
                email_id += 1
                local = f"{rng.choice(pools.first_names)}.{contact_id}.{index}".lower()
                address = f"{local}@{domain}"
                status = "ok" if rng.random() < 0.97 else "bounced"
                yield (email_id, contact_id, address, address, domain, index == 0, status, stamp, stamp)

    def membership_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        group_ids = list(range(1, len(GROUP_NAMES) + 1))
        popularity = [1.0 / rank for rank in group_ids]
        membership_id = 0
        for contact_id in range(1, self.contacts + 1):
            how_many = rng.choices([0, 1, 2, 3], [45, 35, 15, 5])[0]
            chosen = set(rng.choices(group_ids, popularity, k=how_many))
            for group_id in sorted(chosen):
                membership_id += 1
                added = self._stamp()
                if rng.random() < 0.1:
                    removed = added + timedelta(days=rng.randrange(1, 400))
                    yield (membership_id, group_id, contact_id, "removed", "import", added, removed, "api",
                           "Removed (by API)", removed)  # fmt: skip
                else:
                    yield (
                        membership_id,
                        group_id,
                        contact_id,
                        "added",
                        "import",
                        added,
                        None,
                        None,
                        "",
                        added,
                    )

    def contribution_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        gift_id = 0
        history_days = (self.as_of - self.history_start.date()).days
        for contact_id in range(1, self.contacts + 1):
            if rng.random() >= DONOR_SHARE:
                continue
            gifts = rng.choices([1, 2, 3, 4, 5, 6, 8, 12], [30, 20, 14, 10, 8, 7, 6, 5])[0]
            amounts = rng.choices(GIFT_AMOUNTS, GIFT_WEIGHTS, k=gifts)
            for amount in amounts:
                gift_id += 1
                received = self.as_of - timedelta(days=rng.randrange(history_days))
                stamp = datetime(received.year, received.month, received.day, 12, tzinfo=UTC)
                yield (gift_id, contact_id, Decimal(amount), "USD", received, "card", "General", stamp, stamp)

    def _stamp(self) -> datetime:
        return self.history_start + timedelta(seconds=self.rng.randrange(self.history_seconds))


def seed(
    engine: Engine,
    contacts: int = 100_000,
    seed: int = 1,
    as_of: date | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> SeedSummary:
    """Fill an empty database (tables already created) with ``contacts`` contacts and their data."""
    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Contact)):
            raise ValueError("seed() fills an empty database; this one already has contacts")
    started = time.perf_counter()
    generator = _Generator(random.Random(seed), _Pools.build(seed), as_of or today(), contacts)
    summary = generator.summary
    steps: list[tuple[Table, Iterable[tuple[Any, ...]], str]] = [
        (_table(Group), generator.groups(), "groups"),
        (_table(Contact), generator.contact_rows(), "contacts"),
        (_table(Email), generator.email_rows(), "emails"),
        (_table(GroupMembership), generator.membership_rows(), "memberships"),
        (_table(Contribution), generator.contribution_rows(), "contributions"),
    ]
    for table, rows, name in steps:
        with _indexes_dropped(engine, table):
            written = _bulk_insert(engine, table, rows)
        setattr(summary, name, written)
        if progress:
            progress(f"{name}: {written:,} rows after {time.perf_counter() - started:.1f}s")
    _after_load(engine, [table for table, _, _ in steps])
    summary.seconds = time.perf_counter() - started
    return summary


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


@contextmanager
def _indexes_dropped(engine: Engine, table: Table) -> Iterator[None]:
    """Load without secondary indexes and build them afterwards: one sort beats a million inserts."""
    indexes = list(table.indexes)
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
    yield
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)


def _bulk_insert(engine: Engine, table: Table, rows: Iterable[tuple[Any, ...]]) -> int:
    insert = _copy_rows if engine.dialect.name == "postgresql" else _executemany_rows
    written = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_ROWS)):
        with engine.begin() as conn:
            insert(conn, table, batch)
        written += len(batch)
    return written


def _copy_rows(conn: Any, table: Table, batch: Sequence[tuple[Any, ...]]) -> None:
    columns = ", ".join(column.name for column in table.columns)
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(row)


def _executemany_rows(conn: Any, table: Table, batch: Sequence[tuple[Any, ...]]) -> None:
    processors = [_sqlite_converter(conn.dialect, column) for column in table.columns]
    active = [(index, process) for index, process in enumerate(processors) if process is not None]
    converted = []
    for row in batch:
        values = list(row)
        for index, process in active:
            values[index] = process(values[index])
        converted.append(values)
    columns = ", ".join(column.name for column in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    cursor = conn.connection.driver_connection.cursor()
    cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", converted)


def _sqlite_converter(dialect: Any, column: Column[Any]) -> Callable[[Any], Any] | None:
    """The conversion SQLAlchemy applies to a column's values, or a faster identical one."""
    if isinstance(column.type, UTCDateTime):
        return _sqlite_timestamp
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _sqlite_timestamp(value: datetime | None) -> str | None:
    # Exactly SQLAlchemy's SQLite text for a UTC datetime: always with microseconds, no offset
    # (the generator only makes UTC datetimes, so cutting "+00:00" is the conversion).
    if value is None:
        return None
    return value.isoformat(" ", "microseconds")[:26]


def _after_load(engine: Engine, tables: Sequence[Table]) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Ids were written explicitly, so move each sequence past them.
            for table in tables:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id))"
                        f" FROM {table.name}"
                    )
                )
    # Fresh statistics (and PostgreSQL's visibility map, for index-only scans), as autovacuum or
    # SQLite's PRAGMA optimize would leave them on a database in use.
    command = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.execute(text(f"{command} {table.name}"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the database to fill")
    parser.add_argument("--schema", help="PostgreSQL schema (search_path) to use")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=date.fromisoformat, help="the 'today' of the data (default: today)")
    args = parser.parse_args()
    engine = make_engine(args.url, schema=args.schema)
    migrate.upgrade(engine)
    summary = seed(engine, contacts=args.contacts, seed=args.seed, as_of=args.as_of, progress=print)
    print(summary)


if __name__ == "__main__":
    main()
