"""Running a sync: lease, run row, (full: ledger refresh), plan, guard, dry run or apply, finish.

``run_sync`` is a boundary: it opens its own transactions (the run row, the refreshed ledger, each
applied page) and commits them, so the run row always tells the truth about how far it got. When
another run of the same integration holds the lease, it waits for that run to end and then runs its
own: the caller always gets a run that started after the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.credentials import credentials_for
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.reconcile.service import reconcile_in_run
from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync import interest_names, lease, ledger, planning, runs, unticks
from constituent.integrations.mailchimp.sync.applier import Applier, Target
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.integrations.mailchimp.sync.plan_report import ReportRow, count_operations, report_rows
from constituent.integrations.mailchimp.sync.planner import is_write
from constituent.integrations.mailchimp.sync.recorder import Progress, Recorder
from constituent.integrations.mailchimp.sync.refresh import refreshed_ledger
from constituent.integrations.mailchimp.sync.types import LedgerEntry, Plan
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

# Re-read a little before the last run's start, so a change committed while it was reading is seen.
OVERLAP = timedelta(minutes=5)
NOTICES_KEPT = 1000  # notices kept on the run (a dry run's list keeps every address)


@dataclass(frozen=True)
class SyncOptions:
    mode: RunMode = RunMode.incremental
    dry_run: bool = False
    confirm_removals: bool = False
    trigger: RunTrigger = RunTrigger.cli


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
        _SyncRun(database, settings, integration_id, run_id, options, progress, held).execute()


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


@dataclass(frozen=True)
class _Planned:
    plan: Plan
    inputs: planning.Inputs
    ledger_view: dict[str, LedgerEntry]
    watermark: datetime


class _SyncRun:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        integration_id: int,
        run_id: int,
        options: SyncOptions,
        progress: Progress | None,
        held: lease.Lease,
    ) -> None:
        self.sessions = database.sessions
        self.box = SecretBox.from_settings(settings)
        self.integration_id = integration_id
        self.run_id = run_id
        self.options = options
        self.progress = progress
        self.held = held

    def execute(self) -> None:
        try:
            asyncio.run(self._execute())
        except lease.LeaseLost:
            # Another run took over (and marked this one interrupted): this run writes nothing more.
            return
        except errors.MailchimpError as exc:
            self._finish(RunStatus.failed, exc.describe())
        except Exception as exc:
            self._finish(RunStatus.failed, f"{type(exc).__name__}: {exc}")
        except BaseException:
            self._finish(
                RunStatus.interrupted, "stopped before the end; the next run resumes from the ledger"
            )
            raise

    async def _execute(self) -> None:
        with session_scope(self.sessions) as session:
            integration = get_integration(session, self.integration_id)
            credentials = credentials_for(integration, self.box)
            audience_id = integration.audience_id
        async with MailchimpClient(credentials, before_request=self._guard_lease) as client:
            planned = await self._plan(client, audience_id)
            self._stats(client)
            if planned.plan.needs_confirmation:
                self._finish(RunStatus.needs_confirmation, _guard_message(planned.plan), planned)
                return
            if self.options.dry_run:
                self._record_dry_run(planned)
                self._finish(RunStatus.succeeded, _notices(planned), planned, dry_run_report(planned))
                return
            await self._rename_interests(client, audience_id)
            await self._apply(client, audience_id, planned)
            self._finish(RunStatus.succeeded, _notices(planned), planned)

    async def _guard_lease(self) -> None:
        """Before every request to Mailchimp: a run that lost its lease (e.g. paused past it) stops."""
        if not self.held.surely_held():
            await asyncio.to_thread(self.held.guard, self.sessions)

    @contextmanager
    def _fenced(self) -> Iterator[Session]:
        """A write transaction of this run: refused (LeaseLost) once another run took the lease."""
        with session_scope(self.sessions) as session:
            lease.fence(session, self.held)
            yield session

    # -- planning ----------------------------------------------------------------------------------

    async def _plan(self, client: MailchimpClient, audience_id: str) -> _Planned:
        self._phase("planning")
        if not self.options.dry_run:
            # Mailchimp's own changes first (webhooks get lost), so the plan sees today's unsubscribes.
            await reconcile_in_run(client, self.sessions, self.integration_id)
        watermark = utcnow()
        with session_scope(self.sessions) as session:
            integration = get_integration(session, self.integration_id)
            inputs, refresh = self._inputs(session, integration, watermark)
        view = dict(inputs.ledger)
        if refresh:
            view |= await self._refresh(client, audience_id, inputs)
        with session_scope(self.sessions) as session:
            integration = get_integration(session, self.integration_id)
            # What members unticked themselves travels with their entries (the planner never re-ticks it).
            view = unticks.with_unticks(session, self.integration_id, view)
            plan = planning.make_plan(
                integration, inputs, view, confirm_removals=self.options.confirm_removals
            )
        return _Planned(plan, inputs, view, watermark)

    def _inputs(
        self, session: Session, integration: MailchimpIntegration, now: datetime
    ) -> tuple[planning.Inputs, bool]:
        """What to plan from, and whether to refresh the ledger from Mailchimp first.

        The first run refreshes too: an audience may hold members we never wrote (archived or
        deleted there), and only reading them keeps a first sync from bringing them back.
        """
        today = now.date()
        last = runs.last_succeeded(session, integration.id)
        if self.options.mode is RunMode.full or last is None or last.watermark is None:
            return planning.whole(session, integration, today), True
        last_config = runs.layout_config_of(last)
        since = last.watermark - OVERLAP
        return planning.changed_since(session, integration, today, since, last_config), False

    async def _refresh(
        self, client: MailchimpClient, audience_id: str, inputs: planning.Inputs
    ) -> dict[str, LedgerEntry]:
        """The ledger becomes what Mailchimp holds (stored unless this is a dry run)."""
        self._phase("refresh")
        desired = inputs.desired
        updates = await refreshed_ledger(
            client,
            audience_id,
            inputs.ledger,
            desired.owned_tags,
            desired.managed_interests,
            desired.merge_field_types,
        )
        if not self.options.dry_run:
            with self._fenced() as session:
                ledger.save(session, self.integration_id, updates, utcnow())
        return {u.entry.subscriber_hash: u.entry for u in updates}

    # -- applying ----------------------------------------------------------------------------------

    async def _rename_interests(self, client: MailchimpClient, audience_id: str) -> None:
        """A renamed group (or search) renames its interest in Mailchimp, same id (interest_names.py)."""
        with session_scope(self.sessions) as session:
            integration = get_integration(session, self.integration_id)
            wanted = interest_names.wanted_names(session, integration)
            category_id = integration.interest_category_id
        await interest_names.follow_renames(client, audience_id, category_id, wanted)

    async def _apply(self, client: MailchimpClient, audience_id: str, planned: _Planned) -> None:
        self._phase("applying")
        total = sum(is_write(op) for op in planned.plan.operations)
        recorder = Recorder(
            self.sessions,
            self.integration_id,
            self.run_id,
            client.stats,
            total,
            self.progress,
            held=self.held,
        )
        applier = Applier(Target(client, audience_id), planned.plan, planned.ledger_view, recorder)
        applier.lease = self.held
        await applier.apply()
        self._stats(client)

    def _record_dry_run(self, planned: _Planned) -> None:
        """A dry run's counters are what the plan would do (its per-address list goes on the plan)."""
        with self._fenced() as session:
            runs.set_fields(session, self.run_id, **count_operations(planned.plan).as_dict())

    # -- the run row -------------------------------------------------------------------------------

    def _phase(self, phase: str) -> None:
        with self._fenced() as session:
            runs.set_fields(session, self.run_id, phase=phase, heartbeat_at=utcnow())

    def _stats(self, client: MailchimpClient) -> None:
        with self._fenced() as session:
            runs.set_fields(
                session, self.run_id, requests_read=client.stats.reads, requests_write=client.stats.writes
            )

    def _finish(
        self,
        status: RunStatus,
        message: str,
        planned: _Planned | None = None,
        report: list[ReportRow] | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "phase": "done",
            "finished_at": utcnow(),
            "message": message,
        }
        if planned is not None and status is RunStatus.succeeded:
            values["watermark"] = planned.watermark
        try:
            with self._fenced() as session:
                # Only a running run finishes: one marked interrupted meanwhile stays interrupted.
                if runs.finish(session, self.run_id, **values) and planned is not None:
                    runs.record_plan(session, self.run_id, _summary(planned, report or []))
        except lease.LeaseLost:
            return


def _guard_message(plan: Plan) -> str:
    archives = count_operations(plan).archived
    return (
        f"This run would archive {archives} of the audience's {plan.audience_size} subscribed members, "
        "more than the removal guard allows. Nothing was written. Check the contacts, then run again "
        "with --confirm-removals (or confirm in the app) to go ahead."
    )


def _notices(planned: _Planned) -> str:
    notices = planned.inputs.desired.notices
    return f"{len(notices)} notice(s), e.g. {notices[0].message}" if notices else ""


def dry_run_report(planned: _Planned) -> list[ReportRow]:
    return report_rows(planned.plan, planned.inputs.desired.members, planned.ledger_view)


def _summary(planned: _Planned, report: list[ReportRow]) -> runs.PlanSummary:
    return runs.PlanSummary(
        counts=count_operations(planned.plan),
        # The next incremental run compares its layout with this one (see desired.py).
        layout_config=planned.inputs.desired.config,
        notices=[n.message for n in planned.inputs.desired.notices][:NOTICES_KEPT],
        report=report,
        report_total=len(report),
    )
