"""What the app calls to get work done in the background: request a sync, ask for webhook processing.

``request_sync`` is a boundary (it commits): the run row is created ``queued`` — or, when the
integration already has a queued or running run, that run is returned instead (the database's partial
unique index decides between two simultaneous clicks) — and only then is the task handed to the queue,
so a worker always finds the row it is given.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync.models import RunMode, RunTrigger, SyncRun
from constituent.jobs import queue, repository
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.logging import get_logger
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

log = get_logger(__name__)
ATTEMPTS = 5  # each lost race means the other run just ended or began: look again


def priority_for(trigger: RunTrigger, mode: RunMode) -> int:
    if trigger is RunTrigger.schedule:
        return queue.PRIORITY_BACKGROUND
    return queue.PRIORITY_FORCE_SYNC if mode is RunMode.incremental else queue.PRIORITY_RESYNC


def queue_run(
    session: Session,
    integration_id: int,
    *,
    mode: RunMode,
    trigger: RunTrigger,
    dry_run: bool = False,
    confirm_removals: bool = False,
    now: datetime,
) -> tuple[SyncRun, bool]:
    """The queued run row (new: True) or the integration's active run (False); never commits.

    May raise IntegrityError at the insert when another request won the race; the caller retries.
    """
    existing = None if dry_run else repository.active_run(session, integration_id)
    if existing is not None:
        return existing, False
    run = repository.add_queued(
        session,
        integration_id,
        mode=mode,
        trigger=trigger,
        dry_run=dry_run,
        confirm_removals=confirm_removals,
        now=now,
    )
    return run, True


def request_sync(
    database: Database,
    settings: Settings,
    integration_id: int,
    *,
    mode: RunMode,
    trigger: RunTrigger,
    dry_run: bool = False,
    confirm_removals: bool = False,
) -> SyncRun:
    """Queue a sync (or return the one already queued or running) and hand it to the workers."""
    for attempt in range(ATTEMPTS):
        try:
            with session_scope(database.sessions) as session:
                get_integration(session, integration_id)  # NotFound names the integration
                run, created = queue_run(
                    session,
                    integration_id,
                    mode=mode,
                    trigger=trigger,
                    dry_run=dry_run,
                    confirm_removals=confirm_removals,
                    now=utcnow(),
                )
            break
        except IntegrityError:
            if attempt + 1 == ATTEMPTS:
                raise
    if created:
        hand_over(settings, run)
    return run


def hand_over(settings: Settings, run: SyncRun) -> bool:
    """Give a queued run to the queue; False (logged) when the queue cannot be reached.

    The row stays queued either way, and the reaper hands stale queued rows over again.
    """
    from constituent.jobs.registry import jobs_for  # the registry imports the tasks, which import us

    try:
        jobs_for(settings).run_sync(run.id, priority=priority_for(run.trigger, run.mode))
    except Exception as exc:
        log.error("queue unreachable; the run stays queued", run_id=run.id, error=type(exc).__name__)
        return False
    return True


def request_webhook_processing(settings: Settings, integration_id: int) -> None:
    """Ask a worker to process the integration's webhook inbox. Never raises (the event is stored
    already, and the periodic sweep processes anything left unprocessed)."""
    from constituent.jobs.registry import jobs_for

    try:
        jobs_for(settings).process_webhooks(integration_id, priority=queue.PRIORITY_WEBHOOKS)
    except Exception as exc:
        log.warning(
            "queue unreachable; the webhook waits for the sweep",
            integration_id=integration_id,
            error=type(exc).__name__,
        )
