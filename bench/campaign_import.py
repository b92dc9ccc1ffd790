"""Campaign import: one campaign sent to 100,000 members, its sent-to report read into activities.

    PYTHONPATH=. .venv/bin/python bench/campaign_import.py [--eligible 100000] [--latency-ms 50]

Starts from the sync benchmarks' seeded database and a fresh audience filled by the product's initial sync
(so the ledger knows whose each member is), sends a campaign to everyone through the emulator's control API,
then times ``track_campaigns`` (what ``constituent mailchimp campaigns import`` runs): discovery, 100 pages of
sent-to (1,000 each, 5 in flight), address → contact per page, one bulk INSERT … ON CONFLICT DO NOTHING per
page, then 100 pages of email-activity for opens and clicks (none here: nobody has opened it yet, so the
figure is the cost of reading them). A second pass measures re-reading nothing. Requests are counted by
the emulator for our account. The activities are deleted afterwards, so the cached database stays as seeded.
"""

from __future__ import annotations

import json
import os
import time

from bench.sync_setup import connected_bench, end_to_end_arguments, run_sync_process
from sqlalchemy import delete, func, select

from constituent.crm.activities.models import Activity
from constituent.integrations.mailchimp.campaigns.tracking import TrackingResult, track_campaigns
from constituent.kit.db import session_scope
from constituent.kit.runtime import database_for
from constituent.kit.settings import Settings


def timed_pass(settings: Settings, integration_id: int) -> tuple[float, TrackingResult]:
    started = time.perf_counter()
    result = track_campaigns(database_for(settings), settings, integration_id=integration_id)
    return time.perf_counter() - started, result


def main() -> None:
    args = end_to_end_arguments(__doc__, eligible=100_000)

    with connected_bench(args) as bench:
        emulator, connected, settings = bench.emulator, bench.connected, bench.settings
        sync = run_sync_process(settings, connected.integration_id)
        print(f"initial sync: {sync.seconds:.1f} s, {sync.run['created']:,} members created")
        emulator.control("POST", f"lists/{connected.audience_id}/send-campaign", {"subject": "Bench news"})
        before = sum(emulator.requests())
        seconds, first = timed_pass(settings, connected.integration_id)
        requests = sum(emulator.requests()) - before
        again_seconds, again = timed_pass(settings, connected.integration_id)
        again_requests = sum(emulator.requests()) - before - requests
        prefix = f"mailchimp:sent:{connected.integration_id}:%"
        with session_scope(database_for(settings).sessions) as session:
            stored = session.scalar(select(func.count()).where(Activity.dedupe_key.like(prefix)))
            session.execute(delete(Activity).where(Activity.dedupe_key.like(prefix)))
    print(json.dumps({"first": first.as_dict(), "again": again.as_dict(), "stored": stored}))
    print("| figure | value |\n|---|---|")
    print(f"| import of one campaign sent to {first.recipients_read:,} members | {seconds:.1f} s |")
    print(f"| API requests | {requests} |")
    print(f"| activities written (one per recipient contact) | {first.activities_written:,} |")
    print(
        f"| second import (nothing new) | {again_seconds:.1f} s, {again_requests} requests, "
        f"{again.activities_written} activities |"
    )
    print(f"| load average (1 min) at the end | {os.getloadavg()[0]:.1f} (machine: 2 cores) |")


if __name__ == "__main__":
    main()
