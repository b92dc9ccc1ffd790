"""First syncs of new audiences in one running worker process, with the CPU each one took (issue 17).

    PYTHONPATH=<tree>/src:<tree> .venv/bin/python bench/worker_first_syncs.py --data-dir <copy of a seed>
        [--eligible 20000] [--rounds 2] [--database sqlite|postgresql] [--port 18490] [--after-import 0]
        [--latency-ms 50] [--whole-answers]

The database of ``bench/sync_vs_script.py`` (one saved search and the five quick lists, every contact just
imported); each round connects a new audience and runs ``run_sync`` in this process, as Force Sync runs in
a worker. Prints each round's wall time, this process's CPU, the emulator's and PostgreSQL's (its server
processes on this machine; 0 on SQLite). ``--after-import N``: after each first sync, N runs of the same
audience with every contact stamped a minute ago, as right after an import (each contact a candidate,
nothing to write). Run it on a fresh copy of
one seeded file per tree, alternating trees, to compare commits side by side (docs/BENCHMARKS.md, session
13); the CPU shows whether a change saved work or only moved it.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from bench.sync_setup import as_autovacuum_would, connect, settings_for
from bench.sync_timeline import postgres_cpu, process_cpu
from bench.sync_vs_script import (
    one_search_arguments,
    one_search_database,
    one_search_emulator,
    stamp_contacts,
)

from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.kit.runtime import database_for


def main() -> None:
    parser = one_search_arguments(__doc__, port=18490, data_dir="data/bench-worker")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--after-import", type=int, default=0, help="runs right after an import, each round")
    args = parser.parse_args()
    database = one_search_database(args)
    stamp_contacts(database, timedelta(minutes=-1))
    with one_search_emulator(args) as emulator:
        settings = settings_for(database, emulator, args.data_dir / f"run-{uuid.uuid4().hex[:8]}")
        worker = database_for(settings)
        for round_number in range(args.rounds):
            connected = connect(database, emulator, settings, interests=0)
            # The rows the rounds before left dead (their answers overwrote their intent rows).
            as_autovacuum_would(database.engine, "mailchimp_ledger")
            ours, theirs, server = time.process_time(), process_cpu(emulator.process.pid), postgres_cpu()
            started = time.perf_counter()
            run = run_sync(worker, settings, connected.integration_id)
            seconds = time.perf_counter() - started
            cpu, emulated = time.process_time() - ours, process_cpu(emulator.process.pid) - theirs
            print(
                f"round {round_number}: {seconds:.2f} s {run.status.value}, CPU {cpu:.2f} s, "
                f"emulator {emulated:.2f} s, PostgreSQL {postgres_cpu() - server:.2f} s"
            )
            for after in range(args.after_import):
                stamp_contacts(database, timedelta(minutes=-1))
                ours, started = time.process_time(), time.perf_counter()
                run = run_sync(worker, settings, connected.integration_id)
                print(
                    f"round {round_number}, right after an import {after}: "
                    f"{time.perf_counter() - started:.2f} s {run.status.value}, "
                    f"CPU {time.process_time() - ours:.2f} s, {run.requests_write} writes"
                )


if __name__ == "__main__":
    main()
