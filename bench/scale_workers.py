"""Scale benchmark: N integrations synced concurrently by 2 `constituent worker` processes on
PostgreSQL + Redis, against the emulator (added latency, Mailchimp's 10-connection cap per account).

Each integration is a different Mailchimp account (an organisation of its own) in groups mode, fed by
one group of ``--contacts`` distinct contacts. Every sync is requested at once (``request_sync``, as
Force Sync does); the figures are the wall time from the first request to the last finished run, and
per integration the wait in the queue and the run's own time (``started_at`` → ``finished_at``).

    .venv/bin/python -m bench.scale_workers --integrations 20 --contacts 50000 --latency-ms 50

Needs PostgreSQL (``--postgres``, a database ``constituent_bench_workers`` is recreated) and Redis
(``--redis``, the given database is flushed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
from bench.seed import _bulk_insert, _table
from bench.sync_setup import CLI, Emulator, running_emulator
from sqlalchemy import Engine, create_engine, select, text

from constituent.crm.contacts.models import Contact, ContactKind, Email, EmailStatus
from constituent.crm.groups.models import Group, GroupMembership, MembershipMethod, MembershipStatus
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.models import SyncMode
from constituent.integrations.mailchimp.schemas import AudienceContact, CampaignDefaults, ConnectRequest
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.jobs.dispatch import request_sync
from constituent.kit import migrate
from constituent.kit.crypto import SecretBox
from constituent.kit.db import make_engine, make_sessionmaker, normalise_url, session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

BENCH_DB = "constituent_bench_workers"
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--integrations", type=int, default=20)
    parser.add_argument("--contacts", type=int, default=50_000, help="per integration (its group)")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--threads", type=int, default=10, help="worker threads per process")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-workers"))
    return parser.parse_args()


def fresh_database(admin_url: str) -> Engine:
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    admin.dispose()
    engine = make_engine(admin_url.rsplit("/", 1)[0] + f"/{BENCH_DB}")
    migrate.upgrade(engine)
    return engine


def _rows(table: Any, rows: Iterator[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    names = [column.name for column in table.columns]
    for row in rows:
        yield tuple(row.get(name) for name in names)


def seed_groups(engine: Engine, integrations: int, per_group: int) -> None:
    """``integrations`` groups of ``per_group`` distinct, eligible contacts each (COPY)."""
    total = integrations * per_group
    contacts = (
        {
            "id": i,
            "kind": ContactKind.individual.value,
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "organization_name": "",
            "is_active": True,
            "is_deceased": False,
            "do_not_email": False,
            "street": "",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "",
            "country": "US",
            "phone": "",
            "source": "bench",
            "created_at": STAMP,
            "updated_at": STAMP,
        }
        for i in range(1, total + 1)
    )
    emails = (
        {
            "id": i,
            "contact_id": i,
            "address": f"person{i}@mailbox.org",
            "address_normalized": f"person{i}@mailbox.org",
            "domain": "mailbox.org",
            "is_primary": True,
            "status": EmailStatus.ok.value,
            "created_at": STAMP,
            "updated_at": STAMP,
        }
        for i in range(1, total + 1)
    )
    groups = (
        {"id": g, "name": f"Group {g}", "description": "", "created_at": STAMP}
        for g in range(1, integrations + 1)
    )
    memberships = (
        {
            "id": i,
            "group_id": (i - 1) // per_group + 1,
            "contact_id": i,
            "status": MembershipStatus.added.value,
            "method": MembershipMethod.import_.value,
            "added_at": STAMP,
            "removed_reason": "",
            "updated_at": STAMP,
        }
        for i in range(1, total + 1)
    )
    for model, rows in (
        (Contact, contacts),
        (Email, emails),
        (Group, groups),
        (GroupMembership, memberships),
    ):
        table = _table(model)
        _bulk_insert(engine, table, _rows(table, rows))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("contacts", "emails", "groups", "group_memberships"):
            conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
            )
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def connect_all(database: Database, settings: Settings, emulator: Emulator, integrations: int) -> list[int]:
    """One integration per Mailchimp account, in groups mode, fed by its own group."""
    box = SecretBox.from_settings(settings)
    ids = []
    for g in range(1, integrations + 1):
        account = emulator.control("POST", "accounts", {"plan": "monthly"})
        request = ConnectRequest(
            name=f"Org {g}",
            contact=AudienceContact(
                company=f"Org {g}", address1="1 Elm St", city="Springfield", country="US"
            ),
            permission_reminder="You signed up at one of our events.",
            campaign_defaults=CampaignDefaults(
                from_name=f"Org {g}", from_email="news@org.co.uk", subject="News"
            ),
            mode=SyncMode.groups,
            groups=[f"Group {g}"],
        )
        credentials = Credentials("api_key", account["api_key"], emulator.api_base)
        with session_scope(database.sessions) as session:
            ids.append(asyncio.run(service.connect(session, box, request, credentials)).id)
    return ids


def start_workers(
    args: argparse.Namespace, settings: Settings, database_url: str
) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ)
    env.update(
        {
            "CONSTITUENT_DATA_DIR": str(settings.data_dir),
            "CONSTITUENT_DATABASE_URL": database_url,
            "CONSTITUENT_QUEUE_URL": args.redis,
            "CONSTITUENT_MAILCHIMP_API_BASE": str(settings.mailchimp_api_base),
            "CONSTITUENT_LOG_JSON": "true",
        }
    )
    workers = []
    for n in range(args.workers):
        log = (args.data_dir / f"worker-{n + 1}.log").open("wb")
        command = [CLI, "worker", "--workers", str(args.threads), "--no-periodic"]
        workers.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
    return workers


def wait_until_consuming(args: argparse.Namespace) -> None:
    """Both consumers started (so the queue wait measured is the queue's, not the start-up's)."""
    logs = [args.data_dir / f"worker-{n + 1}.log" for n in range(args.workers)]
    while not all("consumer started" in log.read_text() for log in logs):
        time.sleep(0.2)


def wait_for_runs(database: Database, run_ids: list[int]) -> list[SyncRun]:
    while True:
        with database.sessions() as session:
            runs = list(session.scalars(select(SyncRun).where(SyncRun.id.in_(run_ids)).order_by(SyncRun.id)))
        if all(run.status not in (RunStatus.queued, RunStatus.running) for run in runs):
            return runs
        time.sleep(0.5)


def ran_by(args: argparse.Namespace) -> dict[int, int]:
    """Which worker process ran each run (from its JSON log lines)."""
    owner = {}
    for n in range(args.workers):
        for line in (args.data_dir / f"worker-{n + 1}.log").read_text().splitlines():
            if line.startswith("{") and '"sync run ended"' in line:
                owner[int(json.loads(line)["run_id"])] = n + 1
    return owner


def report(args: argparse.Namespace, runs: list[SyncRun], wall: float) -> None:
    print(
        f"\n{args.integrations} integrations x {args.contacts:,} contacts, {args.workers} workers x "
        f"{args.threads} threads, PostgreSQL + Redis, emulator latency {args.latency_ms} ms"
    )
    print(f"total wall time (first request -> last run finished): {wall:.1f} s")
    owner = ran_by(args)
    print("\n| integration | worker | status | created | waited in queue (s) | run (s) | requests |")
    print("|---|---|---|---|---|---|---|")
    durations = []
    for run in runs:
        assert run.started_at is not None and run.finished_at is not None
        waited = (run.started_at - run.created_at).total_seconds()
        took = (run.finished_at - run.started_at).total_seconds()
        durations.append(took)
        print(
            f"| {run.integration_id} | {owner.get(run.id, '?')} | {run.status} | {run.created:,} | "
            f"{waited:.1f} | {took:.1f} | "
            f"{run.requests_read + run.requests_write} |"
        )
    print(
        f"\nrun time: min {min(durations):.1f} s, median {statistics.median(durations):.1f} s, "
        f"max {max(durations):.1f} s"
    )


def main() -> None:
    args = arguments()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    engine = fresh_database(args.postgres)
    seed_groups(engine, args.integrations, args.contacts)
    print(f"seeded {args.integrations * args.contacts:,} contacts in {time.perf_counter() - started:.0f} s")
    database = Database(engine, make_sessionmaker(engine))
    redis.Redis.from_url(args.redis).flushdb()
    database_url = args.postgres.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    with running_emulator(args.latency_ms, args.data_dir / "emulator.log") as emulator:
        settings = Settings(
            data_dir=args.data_dir / "app",
            database_url=database_url,
            queue_url=args.redis,
            mailchimp_api_base=emulator.api_base,
            base_url="http://127.0.0.1:9",
        )
        integration_ids = connect_all(database, settings, emulator, args.integrations)
        workers = start_workers(args, settings, database_url)
        try:
            wait_until_consuming(args)
            began = time.perf_counter()
            run_ids = [
                request_sync(database, settings, i, mode=RunMode.incremental, trigger=RunTrigger.api).id
                for i in integration_ids
            ]
            runs = wait_for_runs(database, run_ids)
            wall = time.perf_counter() - began
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=120)
    report(args, runs, wall)
    engine.dispose()
    sys.exit(0 if all(run.status is RunStatus.succeeded for run in runs) else 1)


if __name__ == "__main__":
    main()
