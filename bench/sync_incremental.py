"""Incremental syncs on 1,000,000 contacts: nothing changed, then 10,000 contacts changed.

    PYTHONPATH=. .venv/bin/python bench/sync_incremental.py [--contacts 1000000]
        [--changed 10000 [100000 ...]]
        [--database sqlite|postgresql] [--port 18420] [--preview]

First a full initial sync fills the audience (timed too; with ``--preview``, then a full preview: the
Resync's dry run, whose peak RSS shows it holds what differs from the ledger, not the audience); then
an incremental run with nothing changed (target: under 15 s, zero write requests); then the same as
the first run of a new day (the last run's watermark moved to yesterday noon, so searches reading the
calendar are compared in full); then one after ``--changed`` contacts got a new last name (target:
under 30 s). Each sync runs in its own child process against the emulator (``--latency-ms 50``, 10
connections), exactly as ``bench/sync_initial.py``. Last, ``constituent mailchimp reconcile`` (what the
hourly job runs): the first standalone pass since the initial sync, which reads back every member that
sync created (sync runs' own passes leave the opt-in query to it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import perf_counter

from bench.sync_setup import (
    BenchDatabase,
    Emulator,
    SyncFigures,
    as_autovacuum_would,
    child_env,
    connect,
    run_sync_process,
    running_emulator,
    seeded_database,
    settings_for,
)
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.integrations.mailchimp.sync.models import SyncRun
from constituent.kit.clock import utcnow
from constituent.kit.settings import Settings


def change_last_names(database: BenchDatabase, count: int, seed: int = 5) -> None:
    """``count`` contacts (a sample fixed by ``seed``) get a new last name, as an edit in the app would."""
    with Session(database.engine) as session:
        ids = list(session.scalars(select(Contact.id).order_by(Contact.id)))  # a sample of a fixed order
        chosen = random.Random(seed).sample(ids, count)
        for start in range(0, count, 5_000):
            batch = chosen[start : start + 5_000]
            changed = update(Contact).where(Contact.id.in_(batch))
            session.execute(changed.values(last_name=Contact.last_name + "-Smith", updated_at=utcnow()))
        session.commit()
    as_autovacuum_would(database.engine, "contacts")


def as_if_the_last_run_was_yesterday(database: BenchDatabase, integration_id: int) -> None:
    yesterday_noon = datetime.combine(utcnow().date() - timedelta(days=1), time(12), tzinfo=UTC)
    with Session(database.engine) as session:
        last = select(func.max(SyncRun.id)).where(SyncRun.integration_id == integration_id)
        session.execute(
            update(SyncRun).where(SyncRun.id == last.scalar_subquery()).values(watermark=yesterday_noon)
        )
        session.commit()


def timed_run(
    emulator: Emulator,
    settings: Settings,
    integration_id: int,
    label: str,
    *,
    full: bool = False,
    dry_run: bool = False,
) -> str:
    before = emulator.requests()
    figures: SyncFigures = run_sync_process(settings, integration_id, full=full, dry_run=dry_run)
    reads, writes = (now - then for now, then in zip(emulator.requests(), before, strict=True))
    run = figures.run
    counts = ", ".join(f"{name} {run[name]}" for name in ("created", "updated", "archived", "tags_added"))
    return (
        f"| {label} | {figures.seconds:.1f} s | {reads} reads, {writes} writes | "
        f"{figures.peak_rss_mb:.0f} MB | {run['status']}: {counts} |"
    )


def timed_reconcile(emulator: Emulator, settings: Settings, integration_id: int) -> str:
    before = emulator.requests()
    cli = Path(sys.executable).with_name("constituent")
    command = [str(cli), "mailchimp", "reconcile", "--integration", str(integration_id), "--json"]
    started = perf_counter()
    done = subprocess.run(command, env=child_env(settings), capture_output=True, text=True, check=True)
    seconds = perf_counter() - started
    reads, writes = (now - then for now, then in zip(emulator.requests(), before, strict=True))
    counts = json.loads(done.stdout)
    return (
        f"| standalone reconcile (hourly job), first since the initial sync | {seconds:.1f} s | "
        f"{reads} reads, {writes} writes | — | members read {counts['members_read']}, "
        f"events applied {counts['events_applied']}, failed {counts['failed']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, nargs="+", default=[10_000], help="one run per count")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--port", type=int, default=None, help="the emulator's port (default: a free one)")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-sync"))
    parser.add_argument(
        "--preview", action="store_true", help="also a full preview (Resync's dry run) after the initial sync"
    )
    args = parser.parse_args()

    database = seeded_database(args.data_dir, args.contacts, kind=args.database)
    print(f"database ({args.database}): {database.contacts:,} contacts, {database.eligible:,} eligible")
    rows = ["| run | wall time | requests | peak RSS | outcome |", "|---|---|---|---|---|"]
    with running_emulator(args.latency_ms, args.data_dir / "emulator.log", args.port) as emulator:
        settings = settings_for(database, emulator, args.data_dir / f"run-{uuid.uuid4().hex[:8]}")
        integration_id = connect(database, emulator, settings).integration_id
        rows.append(timed_run(emulator, settings, integration_id, "initial (full) sync"))
        print(rows[-1], flush=True)
        if args.preview:
            label = "full preview (a Resync's dry run: reads the audience back, writes nothing)"
            rows.append(timed_run(emulator, settings, integration_id, label, full=True, dry_run=True))
            print(rows[-1], flush=True)
        rows.append(timed_run(emulator, settings, integration_id, "incremental, nothing changed"))
        print(rows[-1], flush=True)
        as_if_the_last_run_was_yesterday(database, integration_id)
        rows.append(timed_run(emulator, settings, integration_id, "incremental, nothing changed, a new day"))
        print(rows[-1], flush=True)
        for changed in args.changed:
            change_last_names(database, changed)
            rows.append(timed_run(emulator, settings, integration_id, f"incremental, {changed:,} changed"))
            print(rows[-1], flush=True)
        rows.append(timed_reconcile(emulator, settings, integration_id))
    print("\n".join(rows))
    print(f"load average (1, 5 min) at the end: {os.getloadavg()[0]:.1f}, {os.getloadavg()[1]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
