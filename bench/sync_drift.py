"""Hand edits in Mailchimp put back by the nightly sync (issue 19): cost proportional to the edits.

    PYTHONPATH=. .venv/bin/python bench/sync_drift.py [--contacts 100000] [--edits 50]
        [--database sqlite|postgresql] [--port 18430]

Seeds the database, runs the initial sync and the hourly standalone reconciliation (which reads back what
that sync created, once, in the background), then a nightly run with nothing changed. Then ``--edits``
members get a first name typed into them in Mailchimp (as an admin would, through the account's API) and
one of our tags removed, and the nightly run is timed: it should read and write about ``--edits`` members.
Last, the alternative a user had before: a full Resync of the same audience with the same edits.
Each sync runs in its own child process against the emulator (``--latency-ms 50``, 10 connections).
"""

from __future__ import annotations

import argparse
import os
import random
import uuid
from pathlib import Path

import httpx
from bench.sync_incremental import timed_reconcile, timed_run
from bench.sync_setup import (
    BenchDatabase,
    Emulator,
    connect,
    running_emulator,
    seeded_database,
    settings_for,
)
from sqlalchemy import update
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.reconcile.models import ReconcileState
from constituent.integrations.mailchimp.reconcile.service import OVERLAP
from constituent.kit.clock import utcnow


def as_if_hours_passed(database: BenchDatabase, integration_id: int) -> None:
    """The nightly run comes hours after the initial sync and the hourly pass that read it back. Here they
    are a minute apart, so every member the initial sync wrote is still inside the reading window (the
    watermark minus a 10-minute overlap for clock skew): move the watermarks on by that overlap."""
    with Session(database.engine) as session:
        later = utcnow() + OVERLAP
        state = update(ReconcileState).where(ReconcileState.integration_id == integration_id)
        session.execute(state.values(watermark=later, optin_watermark=later))
        session.commit()


def hand_edit(emulator: Emulator, audience_id: str, count: int) -> None:
    """``count`` subscribed members (a fixed random sample) get a typed first name and lose one tag."""
    members = emulator.control("GET", f"lists/{audience_id}/export")["members"]
    subscribed = sorted(m["id"] for m in members if m["status"] == "subscribed" and m["tags"])
    tags = {m["id"]: m["tags"] for m in members}
    chosen = random.Random(19).sample(subscribed, count)
    with httpx.Client(base_url=emulator.api_base, auth=("bench", emulator.api_key), timeout=60) as http:
        for member_id in chosen:
            path = f"/lists/{audience_id}/members/{member_id}"
            http.patch(path, json={"merge_fields": {"FNAME": "Typed by hand"}}).raise_for_status()
            removed = [{"name": tags[member_id][0], "status": "inactive"}]
            http.post(f"{path}/tags", json={"tags": removed}).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--port", type=int, default=None, help="the emulator's port (default: a free one)")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-drift"))
    parser.add_argument("--no-resync", action="store_true", help="leave out the comparison Resync")
    args = parser.parse_args()

    database = seeded_database(args.data_dir, args.contacts, kind=args.database)
    print(f"database ({args.database}): {database.contacts:,} contacts, {database.eligible:,} eligible")
    rows = ["| run | wall time | requests | peak RSS | outcome |", "|---|---|---|---|---|"]
    with running_emulator(args.latency_ms, args.data_dir / "emulator.log", args.port) as emulator:
        settings = settings_for(database, emulator, args.data_dir / f"run-{uuid.uuid4().hex[:8]}")
        connected = connect(database, emulator, settings)
        integration_id = connected.integration_id
        for label in ("initial (full) sync", None, "nightly, nothing changed"):
            if label is None:
                rows.append(timed_reconcile(emulator, settings, integration_id))
            else:
                rows.append(timed_run(emulator, settings, integration_id, label))
            print(rows[-1], flush=True)
        as_if_hours_passed(database, integration_id)
        hand_edit(emulator, connected.audience_id, args.edits)
        label = f"nightly after {args.edits} hand edits (a name typed, a tag removed)"
        rows.append(timed_run(emulator, settings, integration_id, label))
        print(rows[-1], flush=True)
        hand_edit(emulator, connected.audience_id, args.edits)
        rows.append(
            timed_run(
                emulator, settings, integration_id, f"full Resync after {args.edits} hand edits", full=True
            )
        )
    print("\n".join(rows))
    print(f"load average (1, 5 min) at the end: {os.getloadavg()[0]:.1f}, {os.getloadavg()[1]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
