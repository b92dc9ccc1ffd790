"""Full initial sync: 100,000 eligible contacts, 20 saved-search tags, 3 interests, emulator at 50 ms.

    PYTHONPATH=. .venv/bin/python bench/sync_initial.py [--eligible 100000] [--latency-ms 50]

Targets (issue 5): under 60 s wall, under 400 API requests, peak RSS of the sync process under 400 MB.
The emulator runs as its own process (``constituent emulator --latency-ms 50``, 10 connections per
account); the sync runs in a child process (see ``bench/sync_setup.py``). Requests are counted by the
emulator for our account, after connecting (connecting makes its own few requests).
"""

from __future__ import annotations

import json
import os

from bench.sync_setup import (
    connected_bench,
    end_to_end_arguments,
    run_sync_process,
)


def main() -> None:
    args = end_to_end_arguments(__doc__, eligible=100_000)

    with connected_bench(args) as bench:
        emulator, connected = bench.emulator, bench.connected
        before = emulator.requests()
        figures = run_sync_process(bench.settings, connected.integration_id)
        reads, writes = (now - then for now, then in zip(emulator.requests(), before, strict=True))
        statuses = emulator.statuses(connected.audience_id)
    print(json.dumps(figures.run))
    print("| figure | value | target |\n|---|---|---|")
    print(f"| wall time of the sync | {figures.seconds:.1f} s | < 60 s |")
    print(f"| API requests | {reads + writes} ({reads} reads, {writes} writes) | < 400 |")
    print(f"| peak RSS of the sync process | {figures.peak_rss_mb:.0f} MB | < 400 MB |")
    print(f"| audience afterwards | {statuses} | {bench.database.eligible:,} eligible contacts |")
    print(f"| load average (1 min) at the end | {os.getloadavg()[0]:.1f} | machine: 2 cores |")


if __name__ == "__main__":
    main()
