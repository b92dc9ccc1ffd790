"""Ours against a competent user's script, right after an import of 20,000 contacts (issue 17's table).

    PYTHONPATH=. .venv/bin/python bench/sync_vs_script.py [--eligible 20000] [--database sqlite|postgresql]
        [--latency-ms 50] [--port 18410] [--whole-answers]

The database holds one saved search, "Gmail", and the five quick lists every database has (so six tags),
all made before the import; every contact was just imported: each row changed within the last few
minutes, so the run right after the first sync has every contact as a candidate. The audiences earlier
invocations connected are deleted first (with their ledger rows), and on PostgreSQL what a step updates
in bulk is vacuumed, as autovacuum would (``sync_setup.as_autovacuum_would``).
The emulator runs as its own process (50 ms per request, 10 connections per account); each party writes
to an audience of its own.

- ours: ``run_sync`` in a child process (``bench/sync_setup.py``: interpreter start-up and imports
  included, as ``constituent mailchimp sync`` pays them), first sync then the run right after; then
  "the next night" (the import is a day old: nothing changed since the last run), in a child process and
  in this process: a worker's first run since it started (its first queries are compiled, its first
  models built), then the median of nine more, as a worker that stays up night after night runs it; last, a
  first sync of another new audience in that worker (what Force Sync runs: no interpreter start-up),
  then five more pairs, each ours then the script on new audiences of their own (dropped after the
  pair), their medians: this machine's speed swings by a quarter within minutes, and a pair run back to
  back sees the same machine;
- the script: Mailchimp's official ``mailchimp_marketing`` client, batch subscribe 500 members at a time
  with ``update_existing`` (merge fields and the tag in each entry), one request after the other, sending
  everyone every night. It gets its members from ``build_desired`` without paying for it and is timed
  in-process (no start-up): both in its favour;
- the ceiling: the same 500-member bodies, built beforehand, sent 10 at a time with httpx.

Outputs a Markdown table for docs/BENCHMARKS.md, with the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import mailchimp_marketing
from bench.sync_setup import (
    AS_OF,
    BenchDatabase,
    Emulator,
    as_autovacuum_would,
    connect,
    contacts_for,
    run_sync_process,
    running_emulator,
    seeded_database,
    settings_for,
)
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact, Email
from constituent.crm.searches import service as searches
from constituent.crm.searches.models import SavedSearch
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync.desired import build_desired
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.types import DesiredMember
from constituent.kit.clock import utcnow
from constituent.kit.runtime import Database, database_for
from constituent.kit.settings import Settings

PAGE = 500
CONCURRENCY = 10
SEARCH = ("Gmail", {"field": "email_domain", "op": "eq", "value": "gmail.com"})
NIGHTLY_RUNS = 9  # the nightly run in a worker that has run before: its median
FIRST_SYNC_PAIRS = 5  # a first sync in a worker, then the script's, on new audiences: their medians


def arguments() -> argparse.Namespace:
    return one_search_arguments(__doc__, port=18410, data_dir="data/bench-sync").parse_args()


def one_search_arguments(description: str | None, *, port: int, data_dir: str) -> argparse.ArgumentParser:
    """The options of a benchmark on ``one_search_database``: its size and database, the emulator's
    latency and port, and where its files go (each script adds its own)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eligible", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--latency-ms", type=int, default=50, help="the emulator's time per request")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--data-dir", type=Path, default=Path(data_dir))
    parser.add_argument(
        "--whole-answers",
        action="store_true",
        help="the emulator answers a batch subscribe whole, whatever fields it is asked for",
    )
    return parser


def one_search_emulator(args: argparse.Namespace) -> AbstractContextManager[Emulator]:
    """The emulator ``one_search_arguments`` describe (latency, port, which reading of ``fields``)."""
    log = args.data_dir / "emulator.log"
    return running_emulator(args.latency_ms, log, args.port, whole_answers=args.whole_answers)


def one_search_database(args: argparse.Namespace) -> BenchDatabase:
    database = seeded_database(
        args.data_dir, contacts_for(args.eligible), kind=args.database, name="vs-script", searches=False
    )
    with Session(database.engine) as session:
        # The audiences earlier invocations connected, and their ledger rows (the keys cascade): a
        # deployment holds one or two audiences, and a day of benchmarks left fifty (927,406 ledger
        # rows on PostgreSQL, every intent row an INSERT into their indexes).
        session.execute(delete(MailchimpIntegration))
        if not session.query(SavedSearch).filter_by(name=SEARCH[0]).count():
            session.add(SavedSearch(name=SEARCH[0], filter=SEARCH[1]))
        searches.list_searches(session, today=AS_OF)  # the quick lists, made on first use
        # Every search made before the import, as a user's are: a search created or redefined since the
        # last run is compared with the whole ledger by the next run, and these runs are a minute apart,
        # well inside a run's 5-minute look-back.
        made = utcnow() - timedelta(days=2)
        session.execute(update(SavedSearch).values(created_at=made, updated_at=made))
        session.commit()
    as_autovacuum_would(database.engine, "mailchimp_ledger", "sync_runs")
    return database


def stamp_contacts(database: BenchDatabase, delta: timedelta) -> None:
    """Every contact and email changed ``delta`` from now (an import just now, or one a day old)."""
    with Session(database.engine) as session:
        for model in (Contact, Email):
            session.execute(update(model).values(updated_at=utcnow() + delta))
        session.commit()
    as_autovacuum_would(database.engine, "contacts", "emails")


# -- the script ---------------------------------------------------------------------------------------


def entry(member: DesiredMember) -> dict[str, Any]:
    return {
        "email_address": member.email,
        "status_if_new": "subscribed",
        "merge_fields": dict(member.merge_fields),
        "tags": sorted(member.tags),
    }


def pages(members: Sequence[DesiredMember]) -> list[dict[str, Any]]:
    return [
        {"members": [entry(m) for m in members[start : start + PAGE]], "update_existing": True}
        for start in range(0, len(members), PAGE)
    ]


def competent_script(emulator: Emulator, audience_id: str, members: Sequence[DesiredMember]) -> float:
    """What a careful user writes with the official client: batch subscribe, 500 at a time, in turn."""
    client: Any = mailchimp_marketing.Client()
    client.set_config({"api_key": emulator.api_key, "server": "us1"})
    client.api_client.host = emulator.api_base
    started = time.perf_counter()
    for body in pages(members):
        client.lists.batch_list_members(audience_id, body)
    return time.perf_counter() - started


def ceiling(emulator: Emulator, audience_id: str, members: Sequence[DesiredMember]) -> float:
    """The HTTP alone: pre-built bodies, 10 in flight (Mailchimp's connection cap)."""
    bodies = [json.dumps(body).encode() for body in pages(members)]

    async def send_all() -> float:
        limit = asyncio.Semaphore(CONCURRENCY)
        auth = ("anystring", emulator.api_key)
        async with httpx.AsyncClient(base_url=emulator.api_base, auth=auth, timeout=120) as client:

            async def send(body: bytes) -> None:
                async with limit:
                    response = await client.post(
                        f"/lists/{audience_id}", content=body, headers={"Content-Type": "application/json"}
                    )
                    response.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(send(body) for body in bodies))
            return time.perf_counter() - started

    return asyncio.run(send_all())


# -- the table ----------------------------------------------------------------------------------------


class Table:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.rows = [
            "| run | ours | requests | peak RSS | the script | requests | ratio |",
            "|---|---|---|---|---|---|---|",
        ]

    def requests(self) -> int:
        return sum(self.emulator.requests())

    def add(self, label: str, ours: tuple[float, int, str], script: tuple[float, int] | None) -> None:
        theirs = f"{script[0]:.2f} s | {script[1]}" if script else "— | —"
        ratio = f"{script[0] / ours[0]:.1f}x" if script else "—"
        self.rows.append(f"| {label} | {ours[0]:.2f} s | {ours[1]} | {ours[2]} | {theirs} | {ratio} |")
        print(self.rows[-1], flush=True)


def ours_in_child(table: Table, settings: Settings, integration_id: int) -> tuple[float, int, str]:
    before = table.requests()
    figures = run_sync_process(settings, integration_id)
    outcome = {key: figures.run[key] for key in ("status", "created", "updated", "tags_added")}
    print(f"  ours: {outcome}", flush=True)
    return figures.seconds, table.requests() - before, f"{figures.peak_rss_mb:.0f} MB"


def ours_in_process(
    table: Table, worker: Database, settings: Settings, integration_id: int
) -> tuple[float, int, str]:
    """A run in this process, on ``worker``'s engine: as ``constituent worker`` keeps one engine (and so
    its compiled statements) for its whole life."""
    before = table.requests()
    started = time.perf_counter()
    run = run_sync(worker, settings, integration_id)
    seconds = time.perf_counter() - started
    print(f"  ours (in-process): {run.status.value} {run.counters()}", flush=True)
    return seconds, table.requests() - before, "—"


def ours_in_process_median(
    table: Table, worker: Database, settings: Settings, integration_id: int, runs: int
) -> tuple[float, int, str]:
    """``ours_in_process`` ``runs`` times: the median, and one run's requests. A nightly run with nothing
    to send is a tenth of a second, within this machine's swings; one run says little."""
    seconds, requests = [], 0
    for _ in range(runs):
        took, requests, _ = ours_in_process(table, worker, settings, integration_id)
        seconds.append(took)
    return statistics.median(seconds), requests, "—"


def first_sync_pairs(
    table: Table,
    database: BenchDatabase,
    emulator: Emulator,
    settings: Settings,
    worker: Database,
    members: list[DesiredMember],
) -> tuple[tuple[float, int, str], tuple[float, int]]:
    """``FIRST_SYNC_PAIRS`` times: our first sync of a new audience in the worker, then the script's
    on another; each pair's audiences are dropped after it (their ledger rows with them), so every
    pair starts from the same ledger. The medians of each side; each pair's ratio is printed."""
    ours: list[float] = []
    theirs: list[float] = []
    requests = (0, 0)
    for _ in range(FIRST_SYNC_PAIRS):
        mine, script = (connect(database, emulator, settings, interests=0) for _ in range(2))
        took, our_requests, _ = ours_in_process(table, worker, settings, mine.integration_id)
        their_seconds, their_requests = timed_script(table, emulator, script.audience_id, members)
        ours.append(took)
        theirs.append(their_seconds)
        requests = (our_requests, their_requests)
        print(f"  pair: ours {took:.2f} s, the script {their_seconds:.2f} s: {their_seconds / took:.1f}x")
        with Session(database.engine) as session:
            ids = (mine.integration_id, script.integration_id)
            session.execute(delete(MailchimpIntegration).where(MailchimpIntegration.id.in_(ids)))
            session.commit()
        as_autovacuum_would(database.engine, "mailchimp_ledger")
    return (statistics.median(ours), requests[0], "—"), (statistics.median(theirs), requests[1])


def timed_script(
    table: Table, emulator: Emulator, audience_id: str, members: list[DesiredMember]
) -> tuple[float, int]:
    before = table.requests()
    seconds = competent_script(emulator, audience_id, members)
    return seconds, table.requests() - before


def main() -> None:
    args = arguments()
    database = one_search_database(args)
    print(f"database ({args.database}): {database.contacts:,} contacts, {database.eligible:,} eligible")
    stamp_contacts(database, timedelta(minutes=-1))  # just imported
    data_dir = args.data_dir / f"run-{uuid.uuid4().hex[:8]}"
    with one_search_emulator(args) as emulator:
        settings = settings_for(database, emulator, data_dir)
        table = Table(emulator)
        ours = connect(database, emulator, settings, interests=0)
        theirs = connect(database, emulator, settings, interests=0)
        top = connect(database, emulator, settings, interests=0)
        in_worker = connect(database, emulator, settings, interests=0)
        with Session(database.engine) as session:
            integration = service.get_integration(session, theirs.integration_id)
            members = list(build_desired(session, integration, AS_OF).members.values())
        print(f"members: {len(members):,}", flush=True)

        first_script = timed_script(table, emulator, theirs.audience_id, members)
        table.add("first sync", ours_in_child(table, settings, ours.integration_id), first_script)
        table.add(
            f"the next sync, right after the import ({len(members):,} changed of {len(members):,})",
            ours_in_child(table, settings, ours.integration_id),
            timed_script(table, emulator, theirs.audience_id, members),
        )
        stamp_contacts(database, timedelta(days=-1))  # the next night: the import is a day old
        nightly = timed_script(table, emulator, theirs.audience_id, members)
        table.add(
            "the next night, nothing changed (child process)",
            ours_in_child(table, settings, ours.integration_id),
            nightly,
        )
        worker = database_for(settings)
        table.add(
            "the next night, nothing changed (a worker's first run since it started)",
            ours_in_process(table, worker, settings, ours.integration_id),
            nightly,
        )
        table.add(
            f"the next night, nothing changed (a worker that has run before, as a nightly worker has; "
            f"the median of {NIGHTLY_RUNS} runs)",
            ours_in_process_median(table, worker, settings, ours.integration_id, NIGHTLY_RUNS),
            nightly,
        )
        table.add(
            "first sync, in a running worker (Force Sync on a new audience: no start-up)",
            ours_in_process(table, worker, settings, in_worker.integration_id),
            first_script,
        )
        table.add(
            f"first sync, in a running worker: the median of {FIRST_SYNC_PAIRS} pairs, each ours then "
            "the script, back to back",
            *first_sync_pairs(table, database, emulator, settings, worker, members),
        )
        before = table.requests()
        top_seconds = ceiling(emulator, top.audience_id, members)
        table.add(
            "ceiling: pre-built batches sent 10 at a time",
            (top_seconds, table.requests() - before, "—"),
            None,
        )
    print("\n".join(table.rows))
    print(f"load average (1, 5 min) at the end: {os.getloadavg()[0]:.1f}, {os.getloadavg()[1]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
