"""Our sync against the script a user would otherwise write, on 10,000 contacts, same emulator (50 ms).

    PYTHONPATH=. .venv/bin/python bench/sync_vs_naive.py [--eligible 10000] [--latency-ms 50]

The plain script uses Mailchimp's official ``mailchimp_marketing`` client and PUTs each member in
turn (``set_list_member`` with ``status_if_new``, merge fields and interests), into an audience of
its own. It sends no tags: a real one would need a second call per member for them, so the figure
here flatters it. Both read the same contacts (the script gets them from ``build_desired``, so it
pays nothing for reading the database, again in its favour). Target: ours at least 20x faster.
"""

from __future__ import annotations

import os
import time
from typing import Any

import mailchimp_marketing
from bench.sync_setup import (
    AS_OF,
    Emulator,
    connect,
    connected_bench,
    end_to_end_arguments,
    run_sync_process,
)
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.sync.desired import build_desired
from constituent.integrations.mailchimp.sync.types import DesiredMember


def naive_script(emulator: Emulator, audience_id: str, members: list[DesiredMember]) -> float:
    """What a user writes: one PUT per member, one after the other."""
    client: Any = mailchimp_marketing.Client()
    client.set_config({"api_key": emulator.api_key, "server": "us1"})
    client.api_client.host = emulator.api_base
    started = time.perf_counter()
    for member in members:
        body = {
            "email_address": member.email,
            "status_if_new": "subscribed",
            "merge_fields": dict(member.merge_fields),
            "interests": dict(member.interests),
        }
        client.lists.set_list_member(audience_id, member.subscriber_hash, body)
    return time.perf_counter() - started


def main() -> None:
    args = end_to_end_arguments(__doc__, eligible=10_000)

    with connected_bench(args) as bench:
        database, emulator, settings, ours = bench.database, bench.emulator, bench.settings, bench.connected
        before = emulator.requests()
        figures = run_sync_process(settings, ours.integration_id)
        our_requests = sum(emulator.requests()) - sum(before)
        theirs = connect(database, emulator, settings)
        with Session(database.engine) as session:
            integration = service.get_integration(session, theirs.integration_id)
            members = list(build_desired(session, integration, AS_OF).members.values())
        before = emulator.requests()
        naive_seconds = naive_script(emulator, theirs.audience_id, members)
        naive_requests = sum(emulator.requests()) - sum(before)
        statuses = emulator.statuses(ours.audience_id), emulator.statuses(theirs.audience_id)

    print("| | wall time | API requests | audience afterwards |\n|---|---|---|---|")
    print(f"| our sync (child process) | {figures.seconds:.1f} s | {our_requests} | {statuses[0]} |")
    print(
        f"| PUT per member (mailchimp_marketing) | {naive_seconds:.1f} s | {naive_requests} | {statuses[1]} |"
    )
    speedup, fewer = naive_seconds / figures.seconds, naive_requests / max(our_requests, 1)
    print(f"| ratio | {speedup:.1f}x faster | {fewer:.0f}x fewer | |")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
