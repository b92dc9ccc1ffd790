"""Batch subscribe on the Mailchimp emulator: server time per 500-member call, throughput, memory at 1M,
and the size of one answer whole and trimmed to the fields the sync asks for (``ANSWER_FIELDS``).

The audience is filled through the emulator's own member service (the same code the routes run) to save
minutes of client-side JSON; the timed calls then go over real HTTP to uvicorn in this process, and the
server time of each is measured around the ASGI app (request received → last body byte sent).
RSS is this whole process (emulator + benchmark client), so the emulator's share is at most that.

    PYTHONPATH=. .venv/bin/python bench/emulator_batch_subscribe.py [--members 1000000] [--batches 40]
    (``--members 0 --batches 1`` for the answer sizes alone)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tests.support.emulator import list_body, start_emulator

from constituent.integrations.mailchimp.sync.batch_subscribe import ANSWER_FIELDS
from mailchimp_emulator.clock import now
from mailchimp_emulator.member_input import MemberInput
from mailchimp_emulator.members import create_member
from mailchimp_emulator.state import Store

BATCH = 500


class ServerTimer:
    """ASGI wrapper recording how long the app takes to answer each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.durations: list[float] = []
        self.cpu: list[float] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started, cpu_started = time.perf_counter(), time.thread_time()

        async def timed_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.durations.append(time.perf_counter() - started)
                # CPU of the server thread alone: what the request costs when the machine is not shared.
                self.cpu.append(time.thread_time() - cpu_started)

        await self.app(scope, receive, timed_send)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fill(store: Store, list_id: str, count: int) -> float:
    audience = store.lists[list_id]
    at = now()
    started = time.perf_counter()
    for n in range(count):
        email = f"member{n}@mailbox.org"
        changes = MemberInput(merge_fields={"FNAME": f"First{n}", "LNAME": "Last"})
        create_member(store, audience, email, "subscribed", changes, at)
    return time.perf_counter() - started


def batch_body(start: int) -> dict[str, Any]:
    members = [
        {
            "email_address": f"new{start + n}@mailbox.org",
            "status_if_new": "subscribed",
            "merge_fields": {"FNAME": "New", "LNAME": f"Member{start + n}"},
            "tags": ["Bench"],
        }
        for n in range(BATCH)
    ]
    return {"members": members, "update_existing": True}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args()

    store = Store()
    running = start_emulator(store=store)
    timer = ServerTimer(running.server.config.app)
    running.server.config.app = timer
    running.server.config.loaded_app = timer
    api_key = running.create_account()["api_key"]
    with httpx.Client(base_url=running.api_base, auth=("x", api_key), timeout=120) as client:
        list_id = client.post("/lists", json=list_body("Bench")).json()["id"]
        rss_before = rss_mib()
        fill_seconds = fill(store, list_id, args.members)
        rss_full = rss_mib()
        timer.durations.clear()
        timer.cpu.clear()
        started = time.perf_counter()
        for b in range(args.batches):
            result = client.post(f"/lists/{list_id}", json=batch_body(b * BATCH)).json()
            assert result["total_created"] == BATCH, result.get("errors", result)[:1]
        wall = time.perf_counter() - started
        next_start = args.batches * BATCH
        whole = client.post(f"/lists/{list_id}", json=batch_body(next_start))
        trimmed = client.post(
            f"/lists/{list_id}", params={"fields": ANSWER_FIELDS}, json=batch_body(next_start + BATCH)
        )
    running.stop()
    server_ms = [d * 1000 for d in timer.durations]
    cpu_ms = [d * 1000 for d in timer.cpu]
    print(f"members filled: {args.members:,} in {fill_seconds:.1f} s ({args.members / fill_seconds:,.0f}/s)")
    print(f"RSS: {rss_before:,.0f} MiB before fill, {rss_full:,.0f} MiB at {args.members:,} members")
    print(f"batch subscribe, {args.batches} calls x {BATCH} new members over HTTP:")
    print(
        f"  server time p50 {statistics.median(server_ms):.1f} ms, p95 {percentile(server_ms, 0.95):.1f} ms"
    )
    print(f"  server CPU  p50 {statistics.median(cpu_ms):.1f} ms, p95 {percentile(cpu_ms, 0.95):.1f} ms")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  throughput {args.batches * BATCH / wall:,.0f} members/s end to end (client JSON included)")
    print(f"  server-side throughput {BATCH * 1000 / statistics.median(server_ms):,.0f} members/s at p50")
    print(
        f"one answer of {BATCH} new members: {len(whole.content):,} bytes whole, "
        f"{len(trimmed.content):,} bytes with the fields the sync asks for"
    )


if __name__ == "__main__":
    main()
