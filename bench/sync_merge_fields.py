"""Initial sync with a contact field mapped onto a merge field, then a no-change incremental run.

    PYTHONPATH=. .venv/bin/python bench/sync_merge_fields.py [--eligible 100000] [--latency-ms 50]

The setup is ``bench/sync_initial.py``'s (seeded SQLite database, emulator in its own process, 20
saved-search tags, 3 interests), plus ``created_at`` mapped to the date merge field JOINED through the
product's own service (it creates the field in the audience). Compare with sync_initial's figures: the
mapped column is one more column of the same SELECT and one more value per member. Then an incremental
run with nothing changed: it must write nothing (the mapped values are in the fingerprints).
"""

from __future__ import annotations

import asyncio
import json
import os

from bench.sync_setup import Bench, connected_bench, end_to_end_arguments, run_sync_process

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.merge_fields import service as merge_fields
from constituent.kit.crypto import SecretBox
from constituent.kit.db import make_sessionmaker, session_scope

FIELD, TAG = "created_at", "JOINED"


def map_the_field(bench: Bench) -> None:
    box = SecretBox.from_settings(bench.settings)
    with session_scope(make_sessionmaker(bench.database.engine)) as session:
        integration = service.get_integration(session, bench.connected.integration_id)
        asyncio.run(merge_fields.map_field(session, box, integration, FIELD, TAG))


def main() -> None:
    args = end_to_end_arguments(__doc__, eligible=100_000)
    with connected_bench(args) as bench:
        map_the_field(bench)
        before = bench.emulator.requests()
        initial = run_sync_process(bench.settings, bench.connected.integration_id)
        reads, writes = (now - then for now, then in zip(bench.emulator.requests(), before, strict=True))
        unchanged = run_sync_process(bench.settings, bench.connected.integration_id)
    print(json.dumps({"initial": initial.run, "no_change": unchanged.run}))
    print("| figure | value |\n|---|---|")
    print(f"| initial sync, {FIELD} mapped to {TAG} | {initial.seconds:.1f} s |")
    print(f"| API requests of the initial sync | {reads + writes} ({reads} reads, {writes} writes) |")
    print(f"| peak RSS of the initial sync process | {initial.peak_rss_mb:.0f} MB |")
    changed = unchanged.run["created"] + unchanged.run["updated"]
    print(f"| no-change incremental run after it | {unchanged.seconds:.1f} s, {changed} members written |")
    print(f"| load average (1 min) at the end | {os.getloadavg()[0]:.1f} (machine: 2 cores) |")


if __name__ == "__main__":
    main()
