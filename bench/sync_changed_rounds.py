"""Many incremental runs after one initial sync, to see the spread of a figure (issue 17).

    PYTHONPATH=. .venv/bin/python bench/sync_changed_rounds.py [--contacts 1000000] [--changed 0 10000 ...]
        [--rounds 5] [--tree <dir> ...] [--database sqlite|postgresql] [--data-dir <dir>]

One emulator (50 ms, 10 connections) and one initial sync, then ``--rounds`` rounds: in each, for each
count of ``--changed`` (0: nothing changed), that many contacts get a new last name and a sync runs in a
child process, once per ``--tree`` (a checkout, e.g. a worktree of an older commit: its ``src`` first on
the child's path), alternating, so trees are compared side by side on one database and one audience.
Before each change the previous rounds' changes are made an hour old, so a run has only its own contacts
as candidates, as on a real day (runs seconds apart would otherwise all fall in each other's 5-minute
look-back). Prints each run's wall time, outcome and requests.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import timedelta
from pathlib import Path

from bench.sync_incremental import change_last_names
from bench.sync_setup import (
    BenchDatabase,
    connect,
    run_sync_process,
    running_emulator,
    seeded_database,
    settings_for,
)
from sqlalchemy import update
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.kit.clock import utcnow

HERE = Path(__file__).resolve().parent.parent


def change(database: BenchDatabase, count: int, seed: int) -> None:
    """Earlier rounds' changes made an hour old, then ``count`` contacts (a sample by ``seed``) renamed."""
    with Session(database.engine) as session:
        recent = Contact.updated_at > utcnow() - timedelta(minutes=30)
        session.execute(update(Contact).where(recent).values(updated_at=utcnow() - timedelta(hours=1)))
        session.commit()
    change_last_names(database, count, seed)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument(
        "--changed", type=int, nargs="+", default=[10_000], help="each round runs once per count (0: nothing)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tree", type=Path, action="append", help="a checkout to run (default: this one)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-sync"))
    args = parser.parse_args()
    trees = args.tree or [HERE]
    database = seeded_database(args.data_dir, args.contacts, kind=args.database)
    with running_emulator(50, args.data_dir / "emulator-rounds.log") as emulator:
        settings = settings_for(database, emulator, args.data_dir / f"run-{uuid.uuid4().hex[:8]}")
        integration_id = connect(database, emulator, settings).integration_id
        first = run_sync_process(settings, integration_id, tree=trees[-1])
        print(
            f"initial sync: {first.seconds:.1f} s, peak RSS {first.peak_rss_mb:.0f} MB ({trees[-1]})",
            flush=True,
        )
        for round_number in range(args.rounds):
            for count in args.changed:
                for position, tree in enumerate(trees):
                    change(database, count, 1000 + round_number * 10 + position)
                    figures = run_sync_process(settings, integration_id, tree=tree)
                    outcome = {key: figures.run[key] for key in ("status", "created", "updated", "archived")}
                    outcome["requests"] = figures.run["requests_read"] + figures.run["requests_write"]
                    print(
                        f"round {round_number}, {count:,} changed, {tree}: {figures.seconds:.2f} s {outcome}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
