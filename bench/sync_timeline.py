"""Where a first sync's wall time goes: planning, the writer thread's claims and commits, the requests.

    PYTHONPATH=. .venv/bin/python bench/sync_timeline.py [--eligible 20000] [--latency-ms 50]
        [--data-dir data/bench-sync] [--database sqlite|postgresql] [--nightly N]

Runs ``run_sync`` in this process (as a worker runs it) on a fresh audience of the seeded database of
``bench/sync_setup.py``, with the planner's slices, the recorder's transactions and the client's
requests timed by wrapping them (the product's code is not changed). Prints, for each kind, how many,
their total time, and the span from the first start to the last end, so the critical path shows: a
writer thread busy for most of the apply phase is what the requests wait on.
``--nightly N``: then N runs of the same audience with nothing changed, each timed the same way, the
reconcile they start with among the spans (its reads go out together; one answered late holds the run).
With ``BENCH_PROFILE_DIR=<dir>``, the main thread is profiled into ``<dir>/main.prof`` and the writer
thread's claims and commits into ``<dir>/writer.prof``.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.sync_setup import connected_bench, end_to_end_arguments

from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.sync import execution
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.recorder import Recorder
from constituent.kit.runtime import database_for

Spans = dict[str, list[tuple[float, float]]]
thread_cpu: dict[str, float] = defaultdict(float)  # the CPU time of the thread each call ran in


WRITER = cProfile.Profile()  # the writer thread's transactions (one at a time, so one profile)


def timed(
    spans: Spans, label: str, function: Callable[..., Any], profile: cProfile.Profile | None = None
) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started, cpu = time.perf_counter(), time.thread_time()
        if profile is not None:
            profile.enable()
        try:
            return function(*args, **kwargs)
        finally:
            if profile is not None:
                profile.disable()
            spans[label].append((started, time.perf_counter()))
            thread_cpu[label] += time.thread_time() - cpu

    return wrapper


def timed_async(spans: Spans, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            spans[label].append((started, time.perf_counter()))

    return wrapper


def instrument(spans: Spans) -> None:
    # One writer transaction holds every claim and commit that queued while the one before was written.
    Recorder.write = timed(spans, "writer transaction", Recorder.write, WRITER)  # type: ignore[method-assign]
    Recorder._claim = timed(spans, "  a claim in it", Recorder._claim)  # type: ignore[method-assign]
    Recorder._commit = timed(spans, "  a commit in it", Recorder._commit)  # type: ignore[method-assign]
    MailchimpClient._send_once = timed_async(spans, "request", MailchimpClient._send_once)  # type: ignore[method-assign]
    reconcile = execution.reconcile_in_run
    execution.reconcile_in_run = timed_async(spans, "reconcile", reconcile)  # type: ignore[assignment]
    plan = execution.RunExecution._plan_slice
    execution.RunExecution._plan_slice = timed(spans, "plan a slice", plan)  # type: ignore[method-assign]


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float:
    """User + system CPU seconds of every PostgreSQL server process (0 when none runs here)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if "(postgres)" in stat.read_text():
                total += process_cpu(int(stat.parent.name))
        except OSError:
            continue  # the process ended
    return total


def report(spans: Spans, started: float, ended: float) -> None:
    print(f"run: {ended - started:.2f} s wall")
    print("| what | count | total | its thread's CPU | first start | last end |")
    print("|---|---|---|---|---|---|")
    for label, items in spans.items():
        total = sum(end - start for start, end in items)
        first = min(start for start, _ in items) - started
        last = max(end for _, end in items) - started
        cpu = f"{thread_cpu[label]:.2f} s" if label in thread_cpu else "—"
        print(f"| {label} | {len(items)} | {total:.2f} s | {cpu} | {first:.2f} s | {last:.2f} s |")


def _nightly_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nightly", type=int, default=0, help="runs with nothing changed, after the first")


def main() -> None:
    args = end_to_end_arguments(__doc__, eligible=20_000, more=_nightly_option)
    spans: Spans = defaultdict(list)
    instrument(spans)
    if profile_dir := os.environ.get("BENCH_PROFILE_DIR"):
        Path(profile_dir).mkdir(parents=True, exist_ok=True)
    with connected_bench(args) as bench:
        worker = database_for(bench.settings)
        cpu, ours, emulator = time.thread_time(), time.process_time(), process_cpu(bench.emulator.process.pid)
        server = postgres_cpu()
        main = cProfile.Profile() if os.environ.get("BENCH_PROFILE_DIR") else None
        started = time.perf_counter()
        if main is not None:
            main.enable()
        run = run_sync(worker, bench.settings, bench.connected.integration_id)
        if main is not None:
            main.disable()
            main.dump_stats(f"{os.environ['BENCH_PROFILE_DIR']}/main.prof")
        ended = time.perf_counter()
        print(f"{run.status.value}: {run.counters()}")
        main_thread, process = time.thread_time() - cpu, time.process_time() - ours
        emulated = process_cpu(bench.emulator.process.pid) - emulator
        print(f"CPU: the main thread {main_thread:.2f} s, this process {process:.2f} s", end="")
        print(f", the emulator {emulated:.2f} s, PostgreSQL {postgres_cpu() - server:.2f} s")
        report(spans, started, ended)
        for night in range(args.nightly):
            spans.clear()
            thread_cpu.clear()
            started = time.perf_counter()
            run = run_sync(worker, bench.settings, bench.connected.integration_id)
            print(f"\nnothing changed, run {night + 1}: {run.status.value}, {run.requests_read} reads")
            report(spans, started, time.perf_counter())
    if profile_dir:
        WRITER.dump_stats(f"{profile_dir}/writer.prof")


if __name__ == "__main__":
    main()
