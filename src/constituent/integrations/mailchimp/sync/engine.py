"""Running a sync: the lease and the run row around its body (``execution``: reconcile, refresh,
plan and apply slice by slice, finish).

``run_sync`` is a boundary: it opens its own transactions (the run row, the refreshed ledger, each
applied page) and commits them, so the run row always tells the truth about how far it got. When
another run of the same integration holds the lease, it waits for that run to end and then runs its
own: the caller always gets a run that started after the call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync import lease, runs
from constituent.integrations.mailchimp.sync.execution import RunExecution, SyncOptions
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.integrations.mailchimp.sync.recorder import Progress
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings


def run_sync(
    database: Database,
    settings: Settings,
    integration_id: int,
    *,
    mode: RunMode = RunMode.incremental,
    dry_run: bool = False,
    confirm_removals: bool = False,
    trigger: RunTrigger = RunTrigger.cli,
    progress: Progress | None = None,
    waiting: Callable[[], None] | None = None,
    lease_ttl: timedelta | None = None,
) -> SyncRun:
    """Run one sync of one integration to its end and return its (finished) run row."""
    options = SyncOptions(mode, dry_run, confirm_removals, trigger)
    sessions = database.sessions
    with session_scope(sessions) as session:
        get_integration(session, integration_id)  # a clear NotFound before waiting for anything
    ttl = lease_ttl or lease.ttl_of(settings)
    with lease.hold(sessions, integration_id, ttl=ttl, waiting=waiting) as held:
        run_id, options = _open_run(database, integration_id, options)
        _run_held(database, settings, integration_id, run_id, options, progress, held)
    return _ended(database, run_id, integration_id, options)


def run_queued(
    database: Database,
    settings: Settings,
    run_id: int,
    *,
    lease_ttl: timedelta | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Run a queued run row to its end (the job worker's entry point) and return it.

    The row is taken over (queued → running) only once the lease is ours; a row that is no longer
    queued by then (another worker or a CLI run took it) is returned as it is, and nothing runs.
    """
    sessions = database.sessions
    with session_scope(sessions) as session:
        run = runs.find(session, run_id)
        if run is None:
            # Removed with its integration before a worker got to it: nothing to run. What it was is gone
            # with the row, so the answer carries only its id (integration 0: unknown).
            return runs.cancelled(run_id, 0, RunTrigger.ui, RunMode.incremental, dry_run=False)
        if run.status is not RunStatus.queued:
            return run
        integration_id = run.integration_id
        options = SyncOptions(run.mode, run.dry_run, run.confirm_removals, run.trigger)
    with lease.hold(sessions, integration_id, ttl=lease_ttl or lease.ttl_of(settings)) as held:
        if _take_over(database, integration_id, run_id):
            _run_held(database, settings, integration_id, run_id, options, progress, held)
    return _ended(database, run_id, integration_id, options)


def _ended(database: Database, run_id: int, integration_id: int, options: SyncOptions) -> SyncRun:
    """The finished run row; a run whose integration was removed under it (the row went with the
    integration, and the run stopped at its next fenced write) ended ``cancelled``."""
    with session_scope(database.sessions) as session:
        run = runs.find(session, run_id)
    if run is not None:
        return run
    return runs.cancelled(run_id, integration_id, options.trigger, options.mode, options.dry_run)


def _run_held(
    database: Database,
    settings: Settings,
    integration_id: int,
    run_id: int,
    options: SyncOptions,
    progress: Progress | None,
    held: lease.Lease,
) -> None:
    with lease.kept_alive(database.sessions, held, _heartbeat(run_id)):
        RunExecution(database, settings, integration_id, run_id, options, progress, held).execute()


def _take_over(database: Database, integration_id: int, run_id: int) -> bool:
    now = utcnow()
    with session_scope(database.sessions) as session:
        # We hold the lease, so any run still marked running lost its process mid-way.
        runs.interrupt_abandoned(session, integration_id, now)
        return runs.start_queued(session, run_id, now)


def _open_run(database: Database, integration_id: int, options: SyncOptions) -> tuple[int, SyncOptions]:
    """The run row for an in-process run (CLI): a queued request for the integration is answered by
    this run (one run, the stronger mode), otherwise a new row. One retry covers a request queued
    between our look and our insert (the one-active-run index refuses the second row)."""
    try:
        return _open_run_once(database, integration_id, options)
    except IntegrityError:
        return _open_run_once(database, integration_id, options)


def _open_run_once(database: Database, integration_id: int, options: SyncOptions) -> tuple[int, SyncOptions]:
    now = utcnow()
    with session_scope(database.sessions) as session:
        runs.interrupt_abandoned(session, integration_id, now)
        queued = None if options.dry_run else runs.queued_for(session, integration_id)
        if queued is not None:
            # One run answers both: the stronger mode, and removals confirmed when either confirmed.
            mode = RunMode.full if RunMode.full in (queued.mode, options.mode) else options.mode
            confirm = queued.confirm_removals or options.confirm_removals
            runs.start_queued(session, queued.id, now, mode=mode, confirm_removals=confirm)
            return queued.id, replace(options, mode=mode, confirm_removals=confirm)
        run = runs.create(
            session,
            integration_id,
            trigger=options.trigger,
            mode=options.mode,
            dry_run=options.dry_run,
            now=now,
            confirm_removals=options.confirm_removals,
        )
        return run.id, options


def _heartbeat(run_id: int) -> Callable[[Session], None]:
    def beat(session: Session) -> None:
        runs.set_fields(session, run_id, heartbeat_at=utcnow())

    return beat
