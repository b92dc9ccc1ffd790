"""Reconciliation: read members changed in Mailchimp since the watermarks and feed the inbound processor.

Webhooks get lost (our server down past Mailchimp's retries, a paused or deleted webhook), so every sync
run, an hourly job and ``constituent mailchimp reconcile`` read ``GET /lists/{id}/members`` from a
watermark minus an overlap, 1,000 per page with the pages in flight concurrently. Two queries, two
watermarks:

- the status query: unsubscribed, cleaned, archived, pending and transactional members by
  ``since_last_changed``, from ``watermark``. Every pass reads it, including the one at the start of
  every sync run, so the plan sees today's unsubscribes before it plans;
- the subscribed query: subscribed members by ``since_last_changed`` (signups, resubscribes, confirmed
  opt-ins, hand edits, and the members our syncs wrote since), from ``optin_watermark``, with their merge
  fields, interests and tags. Not by ``since_timestamp_opt``: an API re-subscribe keeps the member's first
  opt-in time (recorded; docs/MAILCHIMP-FIDELITY.md row 8), so it would never show. The standalone pass
  (hourly job, CLI) always reads it; a sync run reads it only when at most ``INLINE_LIMIT`` members
  changed (one counting request says how many): after a big run it would read back everything that run
  wrote (686k members after a 1M-contact initial sync), which the standalone pass then reads once, in the
  background. Members we own whose fields, interests or tags someone changed by hand are drift
  (``drift.py``): the run that reads them writes the database's values back.

Every change that matters goes to ``inbound.processor.apply_event`` as a ``source="reconciliation"``
event: the same rules as a webhook, the same idempotence. Each page commits its events and ledger
statuses; a watermark moves only once every page is done, so a pass that fails is simply read again. A
second pass finds the ledger in agreement and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session, sessionmaker

from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.client import Credentials, MailchimpClient
from constituent.integrations.mailchimp.inbound import repository as inbound
from constituent.integrations.mailchimp.inbound.events import InboundEvent
from constituent.integrations.mailchimp.inbound.processor import apply_event
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.reconcile import repository
from constituent.integrations.mailchimp.reconcile.changes import ChangedMember, MemberChange, classify
from constituent.integrations.mailchimp.reconcile.drift import Drift, Ours, drift_of, profile_event
from constituent.integrations.mailchimp.reconcile.targets import targets
from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync import lease, ledger, runs
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.tagging import layout_for
from constituent.integrations.mailchimp.sync.types import LedgerEntry
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

log = logging.getLogger(__name__)

# Mailchimp's clock and ours differ, and a change may be committed there while we read.
OVERLAP = timedelta(minutes=10)
FIELDS = ",".join(
    f"members.{name}"
    for name in (
        "id",
        "email_address",
        "status",
        "last_changed",
        "unsubscribe_reason",
        "timestamp_opt",
        "source",
        "contact_id",
    )
)
# The subscribed query also carries what a hand edit changes (drift.py).
SUBSCRIBED_FIELDS = FIELDS + ",members.merge_fields,members.interests,members.tags"
OTHER_STATUSES = ("unsubscribed", "cleaned", "archived", "pending", "transactional")
# A sync run reads the subscribed query itself up to this many members (about 20 pages); beyond, the
# standalone pass reads them in the background and the run after it corrects what they show.
INLINE_LIMIT = 20_000


@dataclass(frozen=True)
class _Window:
    """Where a pass reads from (each watermark before the overlap is taken off)."""

    status_from: datetime
    optin_from: datetime


class _Count(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    total_items: int


class _ChangedPage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    members: list[ChangedMember]
    total_items: int

    @property
    def items(self) -> list[ChangedMember]:
        return self.members


@dataclass
class ReconcileResult:
    integrations: int = 0
    members_read: int = 0
    events_applied: int = 0
    ledger_corrected: int = 0
    drift_found: int = 0  # members we own edited by hand in Mailchimp: the next sync writes them back
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))

    def add_page(self, read: int, applied: int, corrected: int, failed: int) -> None:
        self.members_read += read
        self.events_applied += applied
        self.ledger_corrected += corrected
        self.failed += failed

    def merge(self, other: ReconcileResult) -> None:
        """Another set of pages' figures (not its integrations or drift count)."""
        self.add_page(other.members_read, other.events_applied, other.ledger_corrected, other.failed)


def reconcile(
    database: Database, settings: Settings, *, integration_id: int | None = None
) -> ReconcileResult:
    """Boundary: reconcile one integration (or every one), committing as it goes.

    Holds the integration's sync lease, so it never writes the ledger under a running sync (which
    reconciles by itself first anyway). Reads both queries and moves both watermarks: the first pass after
    a big initial sync reads back every member that sync created (their opt-in time is after the
    watermark), here in the background rather than inside the next sync run.
    """
    result = ReconcileResult()
    for target in targets(database, settings, integration_id):
        result.integrations += 1
        try:
            with (
                lease.hold(database.sessions, target.integration_id) as held,
                lease.kept_alive(database.sessions, held),
            ):
                asyncio.run(_standalone(target.credentials, database.sessions, target.integration_id, result))
        except errors.MailchimpError as exc:
            _record_failure(database.sessions, target.integration_id, exc.describe())
            result.failed += 1
    return result


async def _standalone(
    credentials: Credentials, sessions: sessionmaker[Session], integration_id: int, result: ReconcileResult
) -> None:
    async with MailchimpClient(credentials) as client:
        await _Pass(client, sessions, integration_id, result, with_optins=True).run()


async def reconcile_in_run(
    client: MailchimpClient, sessions: sessionmaker[Session], integration_id: int
) -> int:
    """Called by a sync run before planning (under its lease); returns how many events it applied.

    Reads the status query (unsubscribes, cleans: what the plan must see), and the subscribed query when
    few members changed (``INLINE_LIMIT``): hand edits found there become candidates of this very run."""
    result = ReconcileResult(integrations=1)
    await _Pass(client, sessions, integration_id, result, with_optins=None).run()
    return result.events_applied


def _record_failure(sessions: sessionmaker[Session], integration_id: int, message: str) -> None:
    log.warning("reconciliation of integration %s failed: %s", integration_id, message)
    with session_scope(sessions) as session:
        repository.save(session, integration_id, last_error=message[:2000], last_run_at=utcnow())


class _Pass:
    def __init__(
        self,
        client: MailchimpClient,
        sessions: sessionmaker[Session],
        integration_id: int,
        result: ReconcileResult,
        *,
        with_optins: bool | None,
    ) -> None:
        """``with_optins``: read the subscribed query always (True), or only when it is small (None)."""
        self.client = client
        self.sessions = sessions
        self.integration_id = integration_id
        self.result = result
        self.with_optins = with_optins
        # Pages arrive from several queries at once; one is written at a time.
        self.one_writer = asyncio.Lock()

    async def run(self) -> None:
        started = utcnow()
        with session_scope(self.sessions) as session:
            integration = get_integration(session, self.integration_id)
            audience_id = integration.audience_id
            window = self._window(session, integration.created_at)
        if window is None:
            await self._first_look(audience_id, started)
            return
        # An unknown subscribed member is a signup when they opted in inside the window.
        since = window.optin_from - OVERLAP
        counts = await self._read_changes(audience_id, window, since)
        # The subscribed query's watermark stays where it was when this pass did not read that query.
        optin_mark = started if self.with_optins else window.optin_from
        self._account(counts, marks=(started, optin_mark))

    async def _read_changes(self, audience_id: str, window: _Window, since: datetime) -> ReconcileResult:
        """The status queries and, when it is read, the subscribed one. The status queries never wait
        for the count that decides the subscribed one (a round of requests fewer when it says too many
        changed to read them here), and need no ``Ours``: a hand edit is only looked for on subscribed
        members."""
        statuses = self._read_and_apply(
            audience_id, self._status_queries(window), since, None, first_look=False
        )
        if self.with_optins is None:
            counted = self._few_subscribed_changed(audience_id, window)
            self.with_optins, counts = await asyncio.gather(counted, statuses)
            if self.with_optins:
                counts.merge(await self._read_optins(audience_id, window, since))
            return counts
        if not self.with_optins:
            return await statuses
        counts, more = await asyncio.gather(statuses, self._read_optins(audience_id, window, since))
        counts.merge(more)
        return counts

    async def _read_optins(self, audience_id: str, window: _Window, since: datetime) -> ReconcileResult:
        """Subscribed members changed in the window: signups, re-subscribes and hand edits (``Ours``)."""
        opted = (window.optin_from - OVERLAP).isoformat()
        # By last change, not opt-in time: an API re-subscribe keeps the first timestamp_opt (recorded,
        # docs/MAILCHIMP-FIDELITY.md row 8), so only last_changed shows it.
        query = ({"status": "subscribed", "since_last_changed": opted}, SUBSCRIBED_FIELDS)
        return await self._read_and_apply(audience_id, [query], since, self._ours(), first_look=False)

    async def _first_look(self, audience_id: str, started: datetime) -> None:
        """No ledger yet (a new integration, or one added again): the first sync reads the whole audience
        into the ledger itself, but who unsubscribed or bounced meanwhile must reach the contacts too (an
        unsubscribe while no integration was listening has no webhook). Read them all, once."""
        queries = [({"status": status}, FIELDS) for status in ("unsubscribed", "cleaned")]
        counts = await self._read_and_apply(audience_id, queries, started, None, first_look=True)
        self._account(counts, marks=(started, started))

    async def _read_and_apply(
        self,
        audience_id: str,
        queries: list[tuple[dict[str, str], str]],
        since: datetime,
        ours: Ours | None,
        *,
        first_look: bool,
    ) -> ReconcileResult:
        """Every query's pages, concurrently, each page applied as it arrives (one page at a time), so a
        pass holds a window of pages, not the 686,221 members a 1M-contact initial sync leaves to read
        back. A member changed while we paged may show in two pages: each applies with the processor's
        rules, and the older copy is stale by its event time (``inbound.processor``)."""
        counts = ReconcileResult()

        async def stream(filters: dict[str, str], fields: str) -> None:
            path = f"/lists/{audience_id}/members"
            async for _, page in self.client.pages(path, _ChangedPage, params=filters, fields=fields):
                members = list(page.items)
                if not members:  # the common nightly answer: nothing changed, nothing to apply
                    continue
                async with self.one_writer:
                    done = await asyncio.to_thread(
                        self._apply, audience_id, members, since, ours, first_look=first_look
                    )
                counts.add_page(len(members), *done)

        await asyncio.gather(*(stream(filters, fields) for filters, fields in queries))
        return counts

    def _account(self, counts: ReconcileResult, *, marks: tuple[datetime, datetime]) -> None:
        """The pass's figures, then the watermarks (``marks``: status, subscribed) only when every page
        applied."""
        self.result.merge(counts)
        if counts.failed:
            # Their ledger rows were left alone and the watermark stays, so the next pass tries again.
            message = (
                f"{counts.failed} change(s) could not be applied (see the log); they are read again next time"
            )
            _record_failure(self.sessions, self.integration_id, message)
            return
        self._finish(marks[0], marks[1], counts.members_read, counts.events_applied)

    def _window(self, session: Session, created_at: datetime) -> _Window | None:
        state = repository.get(session, self.integration_id)
        if state is not None and state.watermark is not None:
            return _Window(state.watermark, state.optin_watermark or state.watermark)
        if not repository.has_ledger(session, self.integration_id):
            return None
        last = runs.last_succeeded(session, self.integration_id)
        start = last.started_at if last is not None and last.started_at else created_at
        return _Window(start, start)

    async def _few_subscribed_changed(self, audience_id: str, window: _Window) -> bool:
        params = {
            "status": "subscribed",
            "since_last_changed": (window.optin_from - OVERLAP).isoformat(),
            "count": "1",
            "fields": "total_items",
        }
        counted = await self.client.get_model(f"/lists/{audience_id}/members", _Count, params)
        return counted.total_items <= INLINE_LIMIT

    def _ours(self) -> Ours:
        """What we write today (tags, interests, mapped merge fields), read once per pass."""
        with session_scope(self.sessions) as session:
            integration = get_integration(session, self.integration_id)
            layout = layout_for(session, integration, utcnow().date())
            return Ours(layout.owned_tags, layout.managed_interests, layout.merge_field_types)

    def _status_queries(self, window: _Window) -> list[tuple[dict[str, str], str]]:
        """Members whose status changed, by last change, without everyone our own syncs merely updated
        (subscribed members are the standalone pass's, or a sync's when few changed: ``_read_optins``)."""
        changed = (window.status_from - OVERLAP).isoformat()
        return [({"status": status, "since_last_changed": changed}, FIELDS) for status in OTHER_STATUSES]

    def _apply(
        self,
        audience_id: str,
        members: list[ChangedMember],
        since: datetime,
        ours: Ours | None,
        *,
        first_look: bool = False,
    ) -> tuple[int, int, int]:
        """One page in one transaction: the processor's events, the ledger statuses still missing, then
        the hand edits (drift). Returns (events applied, ledger rows corrected, events that failed)."""
        with session_scope(self.sessions) as session:
            integration = get_integration(session, self.integration_id)
            known = ledger.load_by_hashes(session, self.integration_id, [m.id for m in members])
            # Unknown members Mailchimp knows as a person we synced under another address: renamed there.
            people = [m.contact_id for m in members if m.id not in known]
            same = ledger.load_by_people(session, self.integration_id, people)
            changes = [
                c
                for m in members
                if (
                    c := classify(
                        m, known.get(m.id), audience_id, since, same.get(m.contact_id), first_look=first_look
                    )
                )
            ]
            events = [(c, c.event) for c in changes if c.event is not None]
            failed = {id(c) for c, event in events if not self._apply_event(session, integration, event)}
            done = [c for c in changes if id(c) not in failed]
            corrected = self._correct_ledger(session, done)
            drifts = [d for m in members if ours and (d := drift_of(m, known.get(m.id), ours))]
            drift_failed = self._take_drift(session, integration, drifts)
            applied = len(events) - len(failed) + sum(d.fields_changed for d in drifts) - drift_failed
            return applied, corrected, len(failed) + drift_failed

    def _take_drift(self, session: Session, integration: MailchimpIntegration, drifts: list[Drift]) -> int:
        """Names and interests through the processor (the webhook's rules), then the ledger learns what
        Mailchimp holds and the contacts become candidates: the run writes our values back. Returns how
        many profile events failed (those members are read again next time)."""
        now = utcnow()
        taken = [
            d
            for d in drifts
            if not d.fields_changed
            or self._apply_event(session, integration, profile_event(d, integration.audience_id, now))
        ]
        # Read, not written: the time we last wrote them stays (see ledger.save).
        ledger.save(session, self.integration_id, [d.ledger for d in taken], None)
        for drift in taken:
            inbound.touch_emails(session, drift.member.email_address, now)
        self.result.drift_found += len(taken)
        return len(drifts) - len(taken)

    def _apply_event(self, session: Session, integration: MailchimpIntegration, event: InboundEvent) -> bool:
        """False when the processor refused the event (rolled back to a savepoint, logged)."""
        try:
            with session.begin_nested():
                outcome = apply_event(session, integration, event)
        except Exception:
            # One member the processor cannot take must not hold back the others.
            log.exception("reconciliation could not apply a %s event", event.type)
            return False
        log.debug("reconciled a %s event: %s", event.type, outcome)
        return True

    def _correct_ledger(self, session: Session, changes: list[MemberChange]) -> int:
        """Whatever the processor did, the ledger ends with Mailchimp's status, so a rerun finds no change."""
        now_known = ledger.load_by_hashes(session, self.integration_id, [c.member.id for c in changes])
        stale = [
            c.ledger
            for c in changes
            if c.ledger is not None
            and (c.member.id not in now_known or now_known[c.member.id].status != c.ledger.entry.status)
        ]
        # The processor may have set the owner meanwhile (a signup matched to a contact): keep it.
        fixed = [
            LedgerUpdate(_keep_owner(u.entry, now_known.get(u.entry.subscriber_hash)), u.last_changed)
            for u in stale
        ]
        ledger.save(session, self.integration_id, fixed, None)
        return len(fixed)

    def _finish(self, watermark: datetime, optin_watermark: datetime, read: int, applied: int) -> None:
        with session_scope(self.sessions) as session:
            repository.save(
                session,
                self.integration_id,
                watermark=watermark,
                optin_watermark=optin_watermark,
                last_run_at=utcnow(),
                members_read=read,
                events_applied=applied,
                last_error="",
            )


def _keep_owner(entry: LedgerEntry, current: LedgerEntry | None) -> LedgerEntry:
    if current is None:
        return entry
    return replace(
        current,
        status=entry.status,
        archived_by_us=entry.archived_by_us,
        archived_by_hand=entry.archived_by_hand,
    )
