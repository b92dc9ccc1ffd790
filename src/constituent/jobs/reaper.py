"""The reaper: a run whose worker died is marked interrupted and queued again.

A run is dead when its heartbeat (renewed every third of the lease's lifetime) is older than the
lease's lifetime and its integration's lease is free or expired, so a slow but living run is never
reaped. The run queued in its place resumes from the ledger, which the dead run committed page by
page, so nothing is written twice. Queued runs handed to the queue long ago, while the queue itself is
empty, are handed over again (a worker killed between taking the message and taking over the row loses
the message; a long nightly backlog does not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from constituent.integrations.mailchimp.sync import lease
from constituent.jobs import repository
from constituent.jobs.handoff import Handoff
from constituent.kit.db import session_scope
from constituent.kit.logging import get_logger
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

log = get_logger(__name__)
REQUEUE_QUEUED_AFTER = timedelta(minutes=30)
MESSAGE = "the worker running it stopped (no heartbeat); queued again, resuming from the ledger"


@dataclass
class Reaped:
    interrupted: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    handed_again: list[int] = field(default_factory=list)


def reap(database: Database, settings: Settings, now: datetime, handoff: Handoff) -> Reaped:
    reaped = Reaped()
    ttl = lease.ttl_of(settings)
    with database.sessions() as session:
        dead = list(repository.stale_running(session, now, now - ttl))
    for run in dead:
        run_id, integration_id = run.id, run.integration_id
        try:
            with session_scope(database.sessions) as session:
                if not repository.mark_interrupted(session, run_id, now, MESSAGE):
                    continue
                again, created = repository.queue_run(
                    session,
                    integration_id,
                    mode=run.mode,
                    trigger=run.trigger,
                    dry_run=run.dry_run,
                    confirm_removals=run.confirm_removals,
                    now=now,
                )
        except IntegrityError:
            continue  # a new run was requested in between; the next tick sees the new state
        reaped.interrupted.append(run_id)
        if created:
            handoff.hand_over(again)
            reaped.requeued.append(again.id)
        log.warning("dead run interrupted", run_id=run_id, integration_id=integration_id, requeued=again.id)
    reaped.handed_again = _hand_over_stale_queued(database, handoff, now)
    return reaped


def _hand_over_stale_queued(database: Database, handoff: Handoff, now: datetime) -> list[int]:
    if handoff.backlog():
        return []  # the workers are still busy with the backlog; a message is lost only if it drained
    with session_scope(database.sessions) as session:
        stale = list(repository.stale_queued(session, now - REQUEUE_QUEUED_AFTER))
        for run in stale:
            repository.touch(session, run.id, now)
    for run in stale:
        handoff.hand_over(run)
    return [run.id for run in stale]
