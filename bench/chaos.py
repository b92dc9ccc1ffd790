"""The project's own chaos run (issue 13, "keep it attacked"): not a timed test, a benchmark-style attack.

N contacts on PostgreSQL, the emulator as a process with faults injected, the app serving Mailchimp's
webhooks, a job worker. Each round: CRM edits (do-not-email, inactive, names, new primary addresses,
the tagged group), Mailchimp-side unsubscribes, bounces and address changes (their webhooks delivered
to the app), then syncs SIGKILLed at every phase (a sync process, or the worker running a requested
sync, killed when the run reaches the phase drawn for it; Mailchimp-side unsubscribes land while they
run), then one sync left to finish. At the end the inbox is drained, an incremental and a full sync run,
and an oracle computed from the CRM tables alone (plain SQL, not the product's desired state) is
compared with the emulator's audience.

    .venv/bin/python -m bench.chaos --contacts 20000 --rounds 6 --kills 7

Writes ``<data-dir>/chaos.json``; figures go in docs/RELIABILITY.md. Ports 18160-18161 by default.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from bench.chaos_oracle import Oracle, compare, expected_audience
from bench.chaos_setup import (
    BENCH_DB,
    CLI,
    ChaosEnv,
    connect,
    fresh_database,
    seed,
    wait_until,
)
from sqlalchemy import select

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.schemas import ContactUpdate, EmailIn
from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.integrations.mailchimp.inbound.models import InboxStatus, WebhookEvent
from constituent.integrations.mailchimp.inbound.processing import process_pending
from constituent.integrations.mailchimp.sync import runs as sync_runs
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.jobs.dispatch import request_sync
from constituent.jobs.reaper import reap
from constituent.jobs.registry import jobs_for
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.runtime import database_for
from constituent.kit.settings import Settings

# Where a kill is aimed: the run row's phase when the process dies.
PHASES = ("starting", "planning", "refresh", "applying", "renames", "members", "tags", "archives")
FAULT_PROFILES = {"light": (0.05, 0.02, 0.01), "heavy": (0.30, 0.10, 0.05)}
ACTOR = "chaos"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--kills", type=int, default=6, help="killed syncs per round")
    parser.add_argument("--edits", type=float, default=0.01, help="share of contacts edited per round")
    parser.add_argument("--actions", type=float, default=0.004, help="share hit by Mailchimp-side actions")
    parser.add_argument("--faults", choices=sorted(FAULT_PROFILES), default="light")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--port", type=int, default=18160, help="emulator; the app gets the next port")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--data-dir", type=Path, default=Path("data/chaos"))
    return parser.parse_args()


@dataclass
class Tally:
    """What the attack did, for the report."""

    kills: Counter[str] = field(default_factory=Counter)
    unkilled: int = 0  # runs that ended before their phase came
    edits: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    unsubscribed: set[str] = field(default_factory=set)
    bounced: set[str] = field(default_factory=set)
    moved: dict[str, str] = field(default_factory=dict)


# -- the CRM side ------------------------------------------------------------------------------------


def crm_edits(env: ChaosEnv, rng: random.Random, contact_ids: list[int], tally: Tally, round_no: int) -> None:
    """One transaction per edit, as staff make them."""
    for contact_id in contact_ids:
        kind = rng.choice(("do_not_email", "inactive", "name", "email", "group"))
        tally.edits[kind] += 1
        with session_scope(env.database.sessions) as session:
            contact = contacts.get_contact(session, contact_id)
            if kind == "do_not_email":
                contacts.update_contact(
                    session, contact_id, ContactUpdate(do_not_email=not contact.do_not_email), ACTOR
                )
            elif kind == "inactive":
                update = ContactUpdate(is_active=not contact.is_active)
                contacts.update_contact(session, contact_id, update, ACTOR)
            elif kind == "name":
                contacts.update_contact(session, contact_id, ContactUpdate(last_name=f"R{round_no}"), ACTOR)
            elif kind == "email":
                address = f"c{contact_id}.r{round_no}@fastmail.com"
                contacts.add_email(session, contact_id, EmailIn(address=address, is_primary=True), ACTOR)
            else:
                _toggle_group(session, env.group_id, contact_id)


def _toggle_group(session: Any, group_id: int, contact_id: int) -> None:
    current = {view.group_id for view in groups.contact_groups(session, contact_id).current}
    if group_id in current:
        groups.remove_from_group(session, group_id, [contact_id], method=MembershipMethod.user, actor=ACTOR)
    else:
        groups.add_to_group(session, group_id, [contact_id], method=MembershipMethod.user, actor=ACTOR)


# -- the Mailchimp side ------------------------------------------------------------------------------


def subscribed_addresses(env: ChaosEnv) -> list[str]:
    members = env.emulator_control("GET", f"lists/{env.audience_id}/export")["members"]
    return sorted(m["email_address"].lower() for m in members if m["status"] == "subscribed")


def mailchimp_actions(env: ChaosEnv, rng: random.Random, addresses: list[str], tally: Tally) -> None:
    """People acting in Mailchimp: each fires a webhook to the app (users' actions, as Mailchimp does)."""
    for address in addresses:
        kind = rng.choice(("unsubscribe", "unsubscribe", "bounce", "change-email"))
        body: dict[str, Any] = {}
        if kind == "change-email":
            body["new_email"] = f"moved.{len(tally.moved)}.{address.split('@')[0]}@posteo.net"
        try:
            env.person_action(address, kind, body)
        except httpx.HTTPStatusError as exc:  # archived or renamed meanwhile: nothing happened
            tally.actions[f"refused: {exc.response.status_code}"] += 1
            continue
        tally.actions[kind] += 1
        if kind == "unsubscribe":
            tally.unsubscribed.add(address)
        elif kind == "bounce":
            tally.bounced.add(address)
        else:
            tally.moved[address] = body["new_email"].lower()


# -- syncs killed at a phase -------------------------------------------------------------------------


def latest_run(env: ChaosEnv) -> SyncRun | None:
    with env.database.sessions() as session:
        return sync_runs.latest_for_integration(session, env.integration_id)


def kill_at_phase(
    env: ChaosEnv, process: subprocess.Popen[bytes], phase: str, after: int, rng: random.Random
) -> bool:
    """SIGKILL ``process`` once a run newer than ``after`` reaches ``phase``; False if it ended first."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        run = latest_run(env)
        if run is not None and run.id > after and run.phase == phase and run.status is RunStatus.running:
            time.sleep(rng.uniform(0, 0.2))  # somewhere inside the phase, not always at its start
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        if process.poll() is not None:
            return False
        if run is not None and run.id > after and run.status not in (RunStatus.queued, RunStatus.running):
            return False
        time.sleep(0.05)
    return False


def chaos_syncs(env: ChaosEnv, rng: random.Random, kills: int, tally: Tally) -> None:
    for _ in range(kills):
        phase = rng.choice(PHASES)
        before = latest_run(env)
        after = before.id if before else 0
        if rng.random() < 0.5:
            victim, who = env.start_sync_process(), "sync process"
        else:
            victim, who = env.worker, "worker"
            mode = _mode(rng)
            run = request_sync(
                env.database, env.settings, env.integration_id, mode=mode, trigger=RunTrigger.api
            )
            after = run.id - 1  # the run it answers with may be one the reaper queued again just now
        # While it runs, a few people unsubscribe in Mailchimp (the window of issue 13 item 1).
        mailchimp_actions(env, rng, rng.sample(subscribed_addresses(env), 2), tally)
        killed = kill_at_phase(env, victim, phase, after, rng)
        if killed:
            tally.kills[f"{who} at {phase}"] += 1
        else:
            tally.unkilled += 1
        print(f"  {who} {'killed' if killed else 'not killed'} at {phase} (runs after {after})")
        if who == "worker":
            env.restart_worker()
        elif victim.poll() is None:
            victim.kill()
            victim.wait()
        recover(env)


def recover(env: ChaosEnv) -> None:
    """What production does after a death: once the dead run's lease expired, the reaper marks its run
    interrupted and queues it again (the worker resumes it from the ledger)."""

    def reaped() -> bool:
        if not env.lease_free_or_expired():
            return False
        reap(env.database, env.settings, utcnow(), jobs_for(env.settings))
        run = latest_run(env)
        return run is None or run.status is not RunStatus.running

    wait_until(reaped, "the dead run reaped", timeout=300)


def _mode(rng: random.Random) -> RunMode:
    return RunMode.full if rng.random() < 0.2 else RunMode.incremental


def settle(env: ChaosEnv, mode: RunMode = RunMode.incremental) -> SyncRun:
    """A sync left to finish (faults stay on: it must succeed through them)."""
    for _ in range(5):
        run = run_sync(
            env.database,
            env.settings,
            env.integration_id,
            mode=mode,
            confirm_removals=True,
            lease_ttl=timedelta(seconds=env.settings.sync_lease_seconds),
        )
        if run.status is RunStatus.succeeded:
            return run
        print(f"  settling run {run.id}: {run.status} {run.message[:200]}")
    raise RuntimeError("five syncs in a row did not succeed")


def drain_inbox(env: ChaosEnv) -> None:
    """Every webhook Mailchimp fired has been delivered and applied."""

    def delivered() -> bool:
        body = env.emulator_control("GET", "webhooks/deliveries")
        return all(d["outcome"] != "pending" for d in body["deliveries"])

    wait_until(delivered, "webhook deliveries", timeout=900)
    while process_pending(env.database, env.settings, integration_id=env.integration_id):
        pass
    with env.database.sessions() as session:
        left = session.scalars(select(WebhookEvent).where(WebhookEvent.status != InboxStatus.processed))
        for event in left:
            print(f"  inbox row {event.id} {event.status}: {event.error[:200]}")


# -- the run -----------------------------------------------------------------------------------------


def main() -> None:
    args = arguments()
    shutil.rmtree(args.data_dir, ignore_errors=True)  # an old queue would hand stale jobs to the worker
    rng = random.Random(args.seed)
    tally = Tally()
    started = time.monotonic()
    url = fresh_database(args.postgres)
    contact_count = seed(url, args.contacts)
    with chaos_env(args, url) as env:
        settle(env, RunMode.full)
        print(f"initial sync: {subscribed_addresses(env).__len__():,} subscribed")
        env.set_faults(FAULT_PROFILES[args.faults])
        env.start_worker()
        for round_no in range(1, args.rounds + 1):
            subscribed = subscribed_addresses(env)
            hit = rng.sample(subscribed, max(1, int(len(subscribed) * args.actions)))
            hit_owners = env.contacts_with(hit)
            editable = [c for c in range(1, contact_count + 1) if c not in hit_owners]
            crm_edits(
                env, rng, rng.sample(editable, max(1, int(contact_count * args.edits))), tally, round_no
            )
            mailchimp_actions(env, rng, hit, tally)
            chaos_syncs(env, rng, args.kills, tally)
            run = settle(env, _mode(rng))
            kills = sum(tally.kills.values())
            print(f"round {round_no}: settled by run {run.id} ({run.mode}), kills so far {kills}")
        env.stop_worker()
        env.set_faults((0.0, 0.0, 0.0))
        drain_inbox(env)
        settle(env, RunMode.incremental)
        settle(env, RunMode.full)
        oracle = Oracle(
            expected=expected_audience(env.database, env.group_id),
            unsubscribed=tally.unsubscribed,
            bounced=tally.bounced,
        )
        figures = compare(oracle, env.audience_export(), env.ledger_owners())
        statuses = env.run_statuses()
    report = {
        "contacts": args.contacts,
        "rounds": args.rounds,
        "faults": {"profile": args.faults, "error/throttle/reset": FAULT_PROFILES[args.faults]},
        "kills": dict(tally.kills),
        "kills_total": sum(tally.kills.values()),
        "runs_ended_before_their_kill": tally.unkilled,
        "crm_edits": dict(tally.edits),
        "mailchimp_actions": dict(tally.actions),
        "run_statuses": statuses,
        "wall_seconds": round(time.monotonic() - started),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load": os.getloadavg(),
        "findings": figures,
    }
    (args.data_dir / "chaos.json").write_text(json.dumps(report, indent=2, default=list))
    print(json.dumps(report, indent=2, default=list))
    sys.exit(0 if not any(figures.values()) else 1)


@contextmanager
def chaos_env(args: argparse.Namespace, url: str) -> Iterator[ChaosEnv]:
    env = ChaosEnv.start(args, url)
    try:
        connect(env)
        yield env
    finally:
        env.stop()


def _sync_child() -> None:
    """``python -m bench.chaos sync ID``: one sync in its own process (what ``mailchimp sync`` runs), with
    the configured lease so a killed one is taken over after its lifetime."""
    settings = Settings()
    run_sync(
        database_for(settings),
        settings,
        int(sys.argv[2]),
        lease_ttl=timedelta(seconds=settings.sync_lease_seconds),
        confirm_removals=True,
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "sync":
        _sync_child()
    else:
        main()

__all__ = ["BENCH_DB", "CLI"]
