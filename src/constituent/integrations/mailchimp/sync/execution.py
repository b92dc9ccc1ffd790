"""The body of one run, once its lease and run row are held (``engine``): reconcile, (full: refresh the
ledger), then plan and apply slice by slice (``slices``), and finish the run row.

Order of a run:
1. Mailchimp's own changes first (webhooks get lost), so the plan sees today's unsubscribes;
2. which contacts to look at: every one (full, first run, layout changed) or the candidates since the
   last run; a full run refreshes the ledger from Mailchimp first (a run sure to refresh asks for the
   listing while step 1 reads, and stores it after step 1 has applied what it read);
3. the removal guard: when the run has more than one slice and could archive past the guard, every slice
   is planned first and only counted, so nothing is written before the guard has said yes;
4. each slice: plan (the next one is planned while this one is applied), then record it (dry run) or
   apply it; two slices are applied at once, so the next slice's requests go while the one before
   waits for its last answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection, Iterator, Mapping, Sequence
from contextlib import aclosing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar, cast

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.client import MailchimpClient, RequestStats
from constituent.integrations.mailchimp.credentials import credentials_for
from constituent.integrations.mailchimp.limiter import MAILCHIMP_MAX_CONNECTIONS
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.reconcile.service import reconcile_in_run
from constituent.integrations.mailchimp.responses import Member
from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync import (
    desired_repository,
    interest_names,
    lease,
    ledger,
    planning,
    runs,
    unticks,
)
from constituent.integrations.mailchimp.sync.applier import Applier, Target
from constituent.integrations.mailchimp.sync.desired import reads_per_contact
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.integrations.mailchimp.sync.plan_report import report_rows
from constituent.integrations.mailchimp.sync.planner import archive_count, guard_trips, is_write
from constituent.integrations.mailchimp.sync.recorder import Changed, Progress, Recorder, WriterJob
from constituent.integrations.mailchimp.sync.refresh import (
    RefreshedView,
    confirm_absent,
    entry_from_member,
    listed_over_their_rows,
    listed_pages,
    rebuild,
)
from constituent.integrations.mailchimp.sync.slices import Overlap, Tally, cut, slice_count, slice_sizes
from constituent.integrations.mailchimp.sync.tagging import SyncLayout, layout_for
from constituent.integrations.mailchimp.sync.types import LedgerEntry, Plan, RemoteStatus
from constituent.integrations.mailchimp.sync.writer import GroupWriter
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.heap import fewer_collections
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.kit.tasks import AtMost, Prefetched, finished, settled

T = TypeVar("T")

# Re-read a little before the last run's start, so a change committed while it was reading is seen.
OVERLAP = timedelta(minutes=5)
# A slice's claims and requests go while the slice before is still answered and stored (their
# addresses are apart: ``Overlap``); more slices at once would only hold more of them in memory, the
# client sends ten requests at a time whatever the slices.
SLICES_APPLIED_AT_ONCE = 2
UNSEEN_PAGE = 1000  # ledger rows a refresh did not meet, confirmed with Mailchimp this many at a time
# An interest category's id, the names our interests should carry, the names they carry in Mailchimp.
_InterestNames = tuple[str | None, dict[str, str], dict[str, str]]
# What a refresh compares Mailchimp's members with: our tags, our interests, the mapped merge fields.
_Shape = tuple[frozenset[str], Collection[str], Mapping[str, str]]


@dataclass(frozen=True)
class SyncOptions:
    """What was asked of a run (stored on its row, so a requeued run is asked the same)."""

    mode: RunMode = RunMode.incremental
    dry_run: bool = False
    confirm_removals: bool = False
    trigger: RunTrigger = RunTrigger.cli


@dataclass(frozen=True)
class _Source:
    """What every slice of the run is planned from, settled once before the first slice."""

    today: date
    watermark: datetime
    layout: SyncLayout
    candidates: list[int] | None  # None: every contact, in slices read as the run goes
    overlay: RefreshedView | None  # a full dry run's ledger as refreshed (never stored)
    looked_at: int  # how many contacts the run looks at (a full run: as counted before the first slice)
    per_contact: bool  # a slice reads its searches per contact (``desired.reads_per_contact``)
    guard_percent: int  # the removal guard's share, read once with the layout


@dataclass(frozen=True)
class _Planned:
    contact_ids: list[int]  # the slice
    plan: Plan
    inputs: planning.Inputs
    view: dict[str, LedgerEntry]  # the slice's ledger as planned from (with the members' unticks)


class RunExecution:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        integration_id: int,
        run_id: int,
        request: SyncOptions,
        progress: Progress | None,
        held: lease.Lease,
    ) -> None:
        self.sessions = database.sessions
        self.box = SecretBox.from_settings(settings)
        self.slice_size = settings.sync_slice_contacts
        self.integration_id = integration_id
        self.run_id = run_id
        self.request = request
        self.progress = progress
        self.held = held
        self.recorder: Recorder | None = None
        self.writer: GroupWriter[WriterJob, Changed] | None = None
        self.audience: int | None = None  # subscribed members in the whole ledger, counted when needed
        self.stats: RequestStats | None = None  # the client's counts, recorded with the run's outcome

    def execute(self) -> None:
        try:
            with fewer_collections():
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
            self.stats = client.stats
            # The interests' names are read while the run reconciles and plans (a round trip off its
            # path); they are renamed only once the run writes (past the guard, never in a preview).
            names = (
                None
                if self.request.dry_run
                else asyncio.ensure_future(self._interest_names(client, audience_id))
            )
            try:
                await self._run(client, audience_id, names)
            finally:
                if names is not None:
                    await settled(names)

    async def _run(
        self, client: MailchimpClient, audience_id: str, names: asyncio.Future[_InterestNames] | None
    ) -> None:
        source = await self._prepare(client, audience_id)
        if self._archives_counted_first(source):
            # The guard would stop the run: the whole plan, counted, for the message and the run's summary.
            counted = Tally()
            for planned in self._planned_slices(source):
                counted.add(planned.plan, [n.message for n in planned.inputs.desired.notices])
            if self._guard_stops(counted, source):  # else the data changed since the count: go on
                message = _guard_message(counted, self._audience_size(source))
                self._finish(RunStatus.needs_confirmation, message, source, counted)
                return
        await self._slice_by_slice(client, audience_id, source, names)

    async def _slice_by_slice(
        self,
        client: MailchimpClient,
        audience_id: str,
        source: _Source,
        names: asyncio.Future[_InterestNames] | None,
    ) -> None:
        tally = Tally()
        progress = _Estimate(source.looked_at)
        position = -1
        # The next slice is planned once the slice before the one just started has ended (``room``): two
        # slices in memory, as when they were applied one after the other (three took 452 MB at 1,000,000
        # contacts).
        async with (
            AtMost(SLICES_APPLIED_AT_ONCE) as applying,
            aclosing(_ahead(self._planned_slices(source), applying.room)) as planned_slices,
        ):
            async for planned in planned_slices:
                position += 1
                tally.add(planned.plan, [n.message for n in planned.inputs.desired.notices])
                if self._guard_stops(tally, source):
                    # The first slice, or (the data changed since the guard's count) a later one.
                    written_before = position > 0 and not self.request.dry_run
                    size = self._audience_size(source)
                    message = _guard_message(tally, size, written_before=written_before)
                    await applying.settle()
                    self._finish(RunStatus.needs_confirmation, message, source, tally)
                    return
                if self.request.dry_run:
                    self._record_report(planned, tally)
                    continue
                if position == 0 and names is not None:
                    await interest_names.follow_renames(client, audience_id, *await names)
                progress.planned(planned.plan, len(planned.contact_ids))
                if planned.plan.operations:  # nothing to send: no "applying" phase, no writer
                    await applying.start(self._apply(client, audience_id, planned, progress.total))
        if self.request.dry_run:
            self._record_dry_run(tally)
        self._finish(RunStatus.succeeded, _notices(tally), source, tally)

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

    # -- what the run plans from -------------------------------------------------------------------

    async def _prepare(self, client: MailchimpClient, audience_id: str) -> _Source:
        self._phase("planning")
        # A run sure to refresh asks for the audience's listing now: its requests go while the reconcile
        # reads, its pages are stored after the reconcile has applied Mailchimp's changes (``_refresh``).
        with session_scope(self.sessions) as session:
            last = runs.last_succeeded(session, self.integration_id)
        refreshes = not self.request.dry_run and self._looked_from(last) is None  # a preview stores nothing
        ahead = Prefetched(listed_pages(client, audience_id)) if refreshes else None
        try:
            if not self.request.dry_run:
                await reconcile_in_run(client, self.sessions, self.integration_id)
            watermark = utcnow()
            today = watermark.date()
            with session_scope(self.sessions) as session:
                integration = get_integration(session, self.integration_id)
                layout = layout_for(session, integration, today)
                guard_percent = integration.removal_guard_percent
                candidates, full = self._candidates(session, integration, layout, watermark, last)
            overlay = await self._refresh(client, audience_id, layout, ahead) if full else None
        finally:
            if ahead is not None:
                await ahead.close()
        with session_scope(self.sessions) as session:
            contacts = desired_repository.contact_count(session)
        looked_at = len(candidates) if candidates is not None else contacts
        per_contact = reads_per_contact(min(looked_at, self.slice_size), contacts)
        return _Source(today, watermark, layout, candidates, overlay, looked_at, per_contact, guard_percent)

    def _candidates(
        self,
        session: Session,
        integration: MailchimpIntegration,
        layout: SyncLayout,
        now: datetime,
        last: SyncRun | None,
    ) -> tuple[list[int] | None, bool]:
        """The contacts to look at (None: all), and whether to refresh the ledger from Mailchimp first.

        The first run refreshes too: an audience may hold members we never wrote (archived or deleted
        there), and only reading them keeps a first sync from bringing them back.
        """
        looked_from = self._looked_from(last)
        if last is None or looked_from is None:
            return None, True
        since = looked_from - OVERLAP
        last_config = runs.layout_config_of(last)
        candidates = planning.candidates_since(session, integration, now.date(), since, last_config, layout)
        return candidates, candidates is None

    def _looked_from(self, last: SyncRun | None) -> datetime | None:
        """Where an incremental run looks from (the last succeeded run's watermark); None for a run that
        refreshes whatever changed: a full run, or the first."""
        if self.request.mode is RunMode.full or last is None:
            return None
        return last.watermark

    async def _refresh(
        self,
        client: MailchimpClient,
        audience_id: str,
        layout: SyncLayout,
        ahead: Prefetched[Sequence[Member]] | None,
    ) -> RefreshedView | None:
        """The ledger becomes what Mailchimp holds: stored page by page (from ``ahead``, the listing asked
        for before the reconcile, when there is one), or (a dry run, which stores nothing) kept as what
        differs from the stored ledger, to plan from."""
        self._phase("refresh")
        shape = (layout.owned_tags, layout.managed_interests, layout.merge_field_types)
        if self.request.dry_run:
            return await self._refreshed_view(client, audience_id, shape)
        started = utcnow()
        listing = ahead or Prefetched(listed_pages(client, audience_id))
        try:
            async with aclosing(listing.items()) as pages:
                async for members in pages:
                    await asyncio.to_thread(self._store_listed, members, started, shape)
        finally:
            await listing.close()
        after = ""
        while unseen := self._unseen(started, after):
            missing = await confirm_absent(client, audience_id, list(unseen))
            with self._fenced() as session:
                ledger.save(session, self.integration_id, rebuild(unseen, (), missing, *shape), started)
            after = max(unseen)
        return None

    async def _refreshed_view(
        self, client: MailchimpClient, audience_id: str, shape: _Shape
    ) -> RefreshedView:
        view = RefreshedView()
        async with aclosing(listed_pages(client, audience_id)) as listed:
            async for members in listed:
                await asyncio.to_thread(self._view_listed, view, members, shape)
        after = ""
        while stored := self._stored_after(after):
            unseen = [h for h in stored if h not in view.seen]
            if unseen:
                with session_scope(self.sessions) as session:
                    old = ledger.load_by_hashes(session, self.integration_id, unseen)
                missing = await confirm_absent(client, audience_id, unseen)
                view.add(old, rebuild(old, (), missing, *shape))
            after = stored[-1]
        return view

    def _view_listed(self, view: RefreshedView, members: Sequence[Member], shape: _Shape) -> None:
        """A listed page as the run would store it (``_store_listed``): a row that changed after the
        listing keeps the newer news, and is read again with the rows no page showed."""
        with session_scope(self.sessions) as session:
            old, times = ledger.load_with_times(session, self.integration_id, [m.id for m in members])
        fresh = listed_over_their_rows(members, times)
        view.seen.update(m.id for m in fresh)
        view.add(old, [entry_from_member(m, old.get(m.id), *shape) for m in fresh])

    def _stored_after(self, after: str) -> list[str]:
        with session_scope(self.sessions) as session:
            return ledger.present_hashes_after(session, self.integration_id, after, UNSEEN_PAGE)

    def _store_listed(self, members: Sequence[Member], started: datetime, shape: _Shape) -> None:
        with self._fenced() as session:
            old, times = ledger.load_with_times(session, self.integration_id, [m.id for m in members])
            fresh = listed_over_their_rows(members, times)
            updates = [entry_from_member(m, old.get(m.id), *shape) for m in fresh]
            ledger.save(session, self.integration_id, updates, started)

    def _unseen(self, started: datetime, after: str) -> dict[str, LedgerEntry]:
        with session_scope(self.sessions) as session:
            return ledger.unseen_since(session, self.integration_id, started, after, UNSEEN_PAGE)

    # -- slices --------------------------------------------------------------------------------------

    def _slices(self, source: _Source) -> Iterator[list[int]]:
        if source.candidates is not None:
            yield from cut(source.candidates, self.slice_size)
            return
        after, first = 0, True
        for size in slice_sizes(self.slice_size, source.looked_at):
            with session_scope(self.sessions) as session:
                contact_ids = desired_repository.contact_ids_after(session, after, size)
            if contact_ids or first:
                yield contact_ids
            if len(contact_ids) < size:
                return
            after, first = contact_ids[-1], False

    def _planned_slices(self, source: _Source) -> Iterator[_Planned]:
        """Each slice planned, in order. Later slices are planned while the one before is applied
        (``_ahead``): safe because ``Overlap`` keeps every address an earlier slice may write out of
        them, so a slice never plans from a ledger row the slice before is still writing."""
        overlap = Overlap()
        for position, contact_ids in enumerate(self._slices(source)):
            if position == 0:
                self._phase("planning")  # later slices are planned while the run is applying
            yield self._plan_slice(source, contact_ids, position == 0, overlap)

    def _plan_slice(self, source: _Source, contact_ids: list[int], first: bool, overlap: Overlap) -> _Planned:
        with session_scope(self.sessions) as session:
            inputs = self._slice_inputs(session, source, contact_ids, first, overlap)
            # What members unticked themselves travels with their entries (the planner never re-ticks it).
            view = unticks.with_unticks(session, self.integration_id, inputs.ledger)
            # The removal guard is the run's to apply (``_guard_stops``): it adds the slices up, and it
            # counts the audience only once a slice archives someone (counting 686,221 rows took 0.7 s).
            plan = planning.make_plan(get_integration(session, self.integration_id), inputs, view)
        return _Planned(contact_ids, plan, inputs, view)

    def _slice_inputs(
        self, session: Session, source: _Source, contact_ids: list[int], first: bool, overlap: Overlap
    ) -> planning.Inputs:
        """What a slice is planned (or its archives counted) from; ``overlap`` remembers the addresses of
        the slices before it, so each address is planned once, by the first slice that meets it."""
        inputs = planning.slice_inputs(
            session,
            get_integration(session, self.integration_id),
            source.today,
            contact_ids,
            source.layout,
            first=first,
            overlay=source.overlay,
            per_contact=source.per_contact,
        )
        return overlap.restrict(inputs, contact_ids)

    def _archives_counted_first(self, source: _Source) -> bool:
        """Whether the archives of all the slices, counted before anything is written, trip the guard.

        Only a run of several slices that could archive anyone counts first (one slice says it alone,
        removals may be confirmed, an empty audience has nobody to archive). The count reads each slice
        as planning does and asks the planner only how many it would archive (``archive_count``): no
        member's fingerprint, no other operation (planning them all twice made the run right after an
        import of 20,000 cost twice its planning; docs/BENCHMARKS.md, session 14)."""
        one_slice = slice_count(self.slice_size, source.looked_at) == 1
        if self.request.confirm_removals or one_slice or self._audience_size(source) == 0:
            return False
        archives = 0
        overlap = Overlap()
        for position, contact_ids in enumerate(self._slices(source)):
            with session_scope(self.sessions) as session:
                inputs = self._slice_inputs(session, source, contact_ids, position == 0, overlap)
            archives += archive_count(inputs.desired.members, inputs.ledger, inputs.scope)
        return guard_trips(archives, self._audience_size(source), source.guard_percent)

    def _guard_stops(self, tally: Tally, source: _Source) -> bool:
        """The removal guard (``planner.guard_trips``) over the archives of the slices so far."""
        if self.request.confirm_removals or tally.archives == 0:
            return False
        return guard_trips(tally.archives, self._audience_size(source), source.guard_percent)

    def _audience_size(self, source: _Source) -> int:
        """Subscribed members in the whole ledger (a full preview's: as refreshed), counted once."""
        if self.audience is None:
            with session_scope(self.sessions) as session:
                self.audience = _subscribed(session, self.integration_id, source.overlay)
        return self.audience

    # -- applying ----------------------------------------------------------------------------------

    async def _interest_names(self, client: MailchimpClient, audience_id: str) -> _InterestNames:
        """What a renamed group (or search) renames its interest to in Mailchimp, same id, and the names
        there now (interest_names.py)."""
        with session_scope(self.sessions) as session:
            integration = get_integration(session, self.integration_id)
            wanted = interest_names.wanted_names(session, integration)
            category_id = integration.interest_category_id
        current = await interest_names.current_names(client, audience_id, category_id, wanted)
        return category_id, wanted, current

    async def _apply(self, client: MailchimpClient, audience_id: str, planned: _Planned, total: int) -> None:
        recorder, writer = self._recorder(client)
        recorder.total = max(total, recorder.done)
        applier = Applier(Target(client, audience_id), planned.plan, planned.view, writer)
        applier.lease = self.held
        await applier.apply()

    def _recorder(self, client: MailchimpClient) -> tuple[Recorder, GroupWriter[WriterJob, Changed]]:
        """The run's recorder and its one writer, made when the first slice is applied."""
        if self.recorder is None or self.writer is None:
            self._phase("applying")
            self.recorder = Recorder(
                self.sessions,
                self.integration_id,
                self.run_id,
                client.stats,
                0,
                self.progress,
                held=self.held,
            )
            self.writer = GroupWriter(self.recorder.write, most=MAILCHIMP_MAX_CONNECTIONS)
        return self.recorder, self.writer

    def _record_report(self, planned: _Planned, tally: Tally) -> None:
        """A dry run's per-address list, stored slice by slice (it may list the whole audience)."""
        rows = report_rows(planned.plan, planned.inputs.desired.members, planned.view)
        with self._fenced() as session:
            runs.add_report(session, self.run_id, tally.report_total, rows)
        tally.report_total += len(rows)

    def _record_dry_run(self, tally: Tally) -> None:
        """A dry run's counters are what the plan would do (its per-address list is on the plan)."""
        with self._fenced() as session:
            runs.set_fields(session, self.run_id, **tally.counts.as_dict())

    # -- the run row -------------------------------------------------------------------------------

    def _phase(self, phase: str) -> None:
        """Where the run stands, with the requests made so far (one UPDATE: a nightly run writes few)."""
        values = {"phase": phase, "heartbeat_at": utcnow(), **self._request_counts()}
        with self._fenced() as session:
            runs.set_fields(session, self.run_id, **values)

    def _request_counts(self) -> dict[str, int]:
        """The requests made so far, for the run row (none before the client is made)."""
        if self.stats is None:
            return {}
        return {"requests_read": self.stats.reads, "requests_write": self.stats.writes}

    def _finish(
        self, status: RunStatus, message: str, source: _Source | None = None, tally: Tally | None = None
    ) -> None:
        values: dict[str, object] = {
            "status": status,
            "phase": "done",
            "finished_at": utcnow(),
            "message": message,
        }
        if source is not None and status is RunStatus.succeeded:
            values["watermark"] = source.watermark
        # Every request the run made, however it ended (a failure or the guard after a write too).
        values |= self._request_counts()
        try:
            with self._fenced() as session:
                # Only a running run finishes: one marked interrupted meanwhile stays interrupted.
                if runs.finish(session, self.run_id, **values) and source is not None and tally is not None:
                    runs.record_plan(session, self.run_id, _summary(source, tally))
        except lease.LeaseLost:
            return


async def _ahead(items: Iterator[T], ready: Callable[[], Awaitable[None]]) -> AsyncGenerator[T, None]:
    """Each of ``items``, the next one made in a thread (once ``ready`` has returned) while the caller
    works on this one: a run plans its next slice (database reads and CPU) while the requests of this
    one are in flight.

    Closed early (the guard stopped the run, a request failed), it waits for the item being made, so
    nothing of the run is still working once the run has finished."""
    end = object()
    upcoming = asyncio.ensure_future(asyncio.to_thread(next, items, end))
    try:
        while (item := await upcoming) is not end:
            yield cast(T, item)
            await ready()
            upcoming = asyncio.ensure_future(asyncio.to_thread(next, items, end))
    finally:
        await finished(upcoming)  # not cancelled: the thread making it cannot be stopped


@dataclass
class _Estimate:
    """The run's progress total: the writes of the slices planned so far, and as many per contact for
    the contacts still to come (exact once the last slice is planned), so a bar does not fill at every
    slice (slices differ in size: ``slices.slice_sizes``)."""

    looked_at: int
    writes: int = 0
    contacts: int = 0

    def planned(self, plan: Plan, contacts: int) -> None:
        self.writes += sum(is_write(op) for op in plan.operations)
        self.contacts += contacts

    @property
    def total(self) -> int:
        left = max(0, self.looked_at - self.contacts)
        return self.writes + round(self.writes / max(1, self.contacts) * left)


def _subscribed(session: Session, integration_id: int, overlay: RefreshedView | None) -> int:
    stored = ledger.count_by_status(session, integration_id).get(RemoteStatus.subscribed, 0)
    return stored if overlay is None else overlay.subscribed(stored)


def _guard_message(tally: Tally, audience_size: int, *, written_before: bool = False) -> str:
    written = (
        "Nobody was archived; the contacts before them were synced"
        if written_before
        else "Nothing was written"
    )
    return (
        f"This run would archive {tally.archives} of the audience's {audience_size} subscribed "
        f"members, more than the removal guard allows. {written}. Check the contacts, then run "
        "again with --confirm-removals (or confirm in the app) to go ahead."
    )


def _notices(tally: Tally) -> str:
    notices = list(tally.notices)
    return f"{len(notices)} notice(s), e.g. {notices[0]}" if notices else ""


def _summary(source: _Source, tally: Tally) -> runs.PlanSummary:
    return runs.PlanSummary(
        counts=tally.counts,
        # The next incremental run compares its layout with this one (see desired.py).
        layout_config=source.layout.config,
        notices=list(tally.notices),
        report_total=tally.report_total,
    )
