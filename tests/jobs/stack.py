"""A whole deployment for worker tests: database + queue (SQLite + SQLite, or PostgreSQL + Redis), a
private emulator with network latency, connected integrations and many people to sync."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import redis
from sqlalchemy import select

from constituent.crm.contacts.models import Contact, ContactKind, Email, EmailStatus
from constituent.integrations.mailchimp.sync.models import RunStatus, SyncRun
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from mailchimp_emulator.config import EmulatorConfig
from tests.conftest import TestDatabase, _postgres_database, _sqlite_database, with_tables
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience
from tests.jobs.conftest import REDIS_URL, product_for, wait_for
from tests.support.emulator import RunningEmulator

STACKS = ["sqlite", "redis+postgresql"]
LEASE_SECONDS = 2.0  # heartbeat every ~0.7 s; a dead worker's run is reapable after 2 s


@dataclass
class Stack:
    product: Product
    queue: str

    @property
    def database(self) -> Database:
        return Database(self.product.db.engine, self.product.db.sessions)

    def runs(self) -> list[SyncRun]:
        with self.product.db.sessions() as session:
            return list(session.scalars(select(SyncRun).order_by(SyncRun.id)))

    def run(self, run_id: int) -> SyncRun:
        return next(run for run in self.runs() if run.id == run_id)

    def wait_until_idle(self, timeout: float = 120.0) -> list[SyncRun]:
        active = (RunStatus.queued, RunStatus.running)
        wait_for(lambda: all(run.status not in active for run in self.runs()), timeout=timeout, interval=0.2)
        return self.runs()


def open_stack(
    kind: str, tmp_path: Path, emulator_factory: Callable[..., RunningEmulator], latency_ms: int
) -> Iterator[Stack]:
    emulator = emulator_factory(EmulatorConfig(latency_ms=latency_ms))
    databases: Iterator[TestDatabase]
    if kind == "sqlite":
        databases, queue = _sqlite_database(tmp_path), f"sqlite:///{tmp_path / 'queue.db'}"
    else:
        databases, queue = _postgres_database(), REDIS_URL
        redis.Redis.from_url(REDIS_URL).flushdb()
    db = with_tables(next(databases))
    try:
        yield Stack(product_for(db, emulator, tmp_path, queue, sync_lease_seconds=LEASE_SECONDS), queue)
    finally:
        databases.close()
        if kind != "sqlite":
            redis.Redis.from_url(REDIS_URL).flushdb()


def many_people(product: Product, count: int) -> None:
    """``count`` eligible individuals in one transaction (fast; these tests are about the queue)."""
    with session_scope(product.db.sessions) as session:
        session.add_all(
            Contact(
                kind=ContactKind.individual,
                first_name=f"Person{i}",
                last_name="Tester",
                emails=[
                    Email(
                        address=f"person{i}@mailbox.org",
                        address_normalized=f"person{i}@mailbox.org",
                        domain="mailbox.org",
                        is_primary=True,
                        status=EmailStatus.ok,
                    )
                ],
            )
            for i in range(count)
        )


def subscribed(audience: Audience) -> set[str]:
    return {email for email, member in audience.members().items() if member["status"] == "subscribed"}
