"""The nightly run with nothing to send, many times in one running worker (issue 17's nightly figure).

    PYTHONPATH=. .venv/bin/python bench/nightly_runs.py --data-dir <dir> [--database sqlite|postgresql]
        [--eligible 20000] [--runs 40] [--latency-ms 50] [--port 18496] [--whole-answers]

The database of ``bench/sync_vs_script.py`` (one saved search and the five quick lists). A new audience
gets its first sync, the contacts are stamped a day old (nothing changed since), then ``run_sync`` runs
``--runs`` times in this process, as a worker that stays up runs the nightly sync. Prints the median,
the fastest and the slowest run: one run is a tenth of a second, so a single one says little.
"""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import timedelta

from bench.sync_setup import connect, settings_for
from bench.sync_vs_script import (
    one_search_arguments,
    one_search_database,
    one_search_emulator,
    stamp_contacts,
)

from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.kit.runtime import database_for


def main() -> None:
    parser = one_search_arguments(__doc__, port=18496, data_dir="data/bench-nightly")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    database = one_search_database(args)
    stamp_contacts(database, timedelta(minutes=-1))
    with one_search_emulator(args) as emulator:
        settings = settings_for(database, emulator, args.data_dir / f"run-{uuid.uuid4().hex[:8]}")
        worker = database_for(settings)
        integration_id = connect(database, emulator, settings, interests=0).integration_id
        first = run_sync(worker, settings, integration_id)
        print(f"first sync: {first.status.value}, {first.created:,} members")
        stamp_contacts(database, timedelta(days=-1))  # the import is a day old
        seconds = []
        for _ in range(args.runs):
            started = time.perf_counter()
            run = run_sync(worker, settings, integration_id)
            seconds.append(time.perf_counter() - started)
            assert run.requests_write == 0, "a nightly run with nothing to send wrote"
    print(
        f"nightly run x{args.runs} ({args.database}): median {statistics.median(seconds):.3f} s, "
        f"fastest {min(seconds):.3f} s, slowest {max(seconds):.3f} s"
    )


if __name__ == "__main__":
    main()
