"""What the app calls to get work done in the background: request a sync, ask for webhook processing.

``request_sync`` is a boundary (it commits): the run row is created ``queued`` — or, when the
integration already has a queued or running run, that run is returned instead (the database's partial
unique index decides between two simultaneous clicks) — and only then is the task handed to the queue,
so a worker always finds the row it is given.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync.models import RunMode, RunTrigger, SyncRun
from constituent.jobs import queue, repository
from constituent.jobs.registry import jobs_for
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.logging import get_logger
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

log = get_logger(__name__)
ATTEMPTS = 5  # each lost race means the other run just ended or began: look again


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
                run, created = repository.queue_run(
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
        jobs_for(settings).hand_over(run)
    return run


def request_webhook_processing(settings: Settings, integration_id: int) -> None:
    """Ask a worker to process the integration's webhook inbox. Never raises (the event is stored
    already, and the periodic sweep processes anything left unprocessed)."""
    try:
        jobs_for(settings).process_webhooks(integration_id, priority=queue.PRIORITY_WEBHOOKS)
    except Exception as exc:
        log.warning(
            "queue unreachable; the webhook waits for the sweep",
            integration_id=integration_id,
            error=type(exc).__name__,
        )
