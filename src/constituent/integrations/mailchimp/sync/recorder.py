"""Recording what a page of requests achieved: ledger rows, the run's counters and errors, refusals on
contacts. Each page is one transaction, committed here, so a crash loses at most the pages in flight
and a rerun (which re-plans from the ledger) repeats none of the recorded ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from constituent.crm.activities.service import record_activity
from constituent.crm.errors import NotFound
from constituent.integrations.mailchimp.client import RequestStats
from constituent.integrations.mailchimp.sync import lease, ledger, runs
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.models import RunCounter
from constituent.integrations.mailchimp.sync.types import Intent, LedgerEntry, MemberError, RemoteStatus
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope

REFUSAL_ACTIVITY = "mailchimp_refused"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class RefusalNote:
    """Mailchimp will not take an address back: said once on each contact sharing it."""

    subscriber_hash: str
    email: str
    contact_ids: tuple[int, ...]
    kind: str  # the status or refusal kind, part of the dedupe key
    sentence: str


@dataclass
class PageOutcome:
    updates: list[LedgerUpdate] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)
    counts: Counter[RunCounter] = field(default_factory=Counter)
    errors: list[MemberError] = field(default_factory=list)
    refusals: list[RefusalNote] = field(default_factory=list)
    done: int = 0  # operations this page settled, for progress
    # The status the run believed each updated member had before this page (None: no row). A row
    # that holds another status now was changed by someone else (a webhook, a reconcile) since: the
    # newer news wins, the page's update of that row is dropped (compare-and-set).
    expected: dict[str, RemoteStatus | None] = field(default_factory=dict)

    def merge(self, other: PageOutcome) -> None:
        self.updates += other.updates
        self.expected |= other.expected
        self.forget += other.forget
        self.counts.update(other.counts)
        self.errors += other.errors
        self.refusals += other.refusals
        self.done += other.done


def _answered(update: LedgerUpdate) -> LedgerUpdate:
    """Mailchimp answered: what is stored now is known, no longer intended."""
    if update.entry.intent is Intent.none:
        return update
    return replace(update, entry=replace(update.entry, intent=Intent.none))


@dataclass
class Recorder:
    sessions: sessionmaker[Session]
    integration_id: int
    run_id: int
    stats: RequestStats
    total: int
    progress: Progress | None = None
    done: int = 0
    held: lease.Lease | None = None  # every transaction here is fenced by it (see lease.fence)

    def claim(
        self, expected: Mapping[str, RemoteStatus | None], intents: Mapping[str, LedgerEntry]
    ) -> dict[str, RemoteStatus | None]:
        """Before a request goes out, in one transaction: compare each address's ledger status with what
        the run planned from, and store the intent rows of the unchanged ones (the intent log).

        Returns the addresses whose status changed since (not to be written), with their status now.
        """
        synced_at = utcnow()
        with session_scope(self.sessions) as session:
            self._fence(session)
            # Members to create where we know no row: the row is the check (none there yet) and the intent.
            creates = [entry for h, entry in intents.items() if expected.get(h) is None]
            created = ledger.create_absent(session, self.integration_id, creates, synced_at)
            rest = [h for h in expected if h not in created]
            now = ledger.statuses_of(session, self.integration_id, rest, lock=True)
            changed = {h: now.get(h) for h in rest if now.get(h) != expected[h]}
            rows = [LedgerUpdate(e) for h, e in intents.items() if h not in changed and h not in created]
            ledger.save(session, self.integration_id, rows, synced_at)
        return changed

    def _fence(self, session: Session) -> None:
        if self.held is not None:
            lease.fence(session, self.held)

    def commit(self, phase: str, outcome: PageOutcome) -> dict[str, RemoteStatus | None]:
        """Store the page; returns the members whose row changed under the run (left as they are)."""
        now = utcnow()
        self.done += outcome.done
        with session_scope(self.sessions) as session:
            self._fence(session)
            changed = self._changed_under_us(session, outcome)
            ledger.forget_hashes(session, self.integration_id, outcome.forget)
            updates = [_answered(u) for u in outcome.updates if u.entry.subscriber_hash not in changed]
            ledger.save(session, self.integration_id, updates, now)
            for error in outcome.errors:
                ledger.record_error(session, self.integration_id, error.subscriber_hash, error.message)
            runs.add_errors(session, self.run_id, outcome.errors)
            runs.add_counts(session, self.run_id, outcome.counts)
            self._note_refusals(session, outcome.refusals, now)
            runs.set_fields(
                session,
                self.run_id,
                phase=phase,
                heartbeat_at=now,
                requests_read=self.stats.reads,
                requests_write=self.stats.writes,
                progress_done=self.done,
                progress_total=self.total,
            )
        if self.progress is not None:
            self.progress(phase, self.done, self.total)
        return changed

    def _changed_under_us(self, session: Session, outcome: PageOutcome) -> dict[str, RemoteStatus | None]:
        if not outcome.expected:
            return {}
        now = ledger.statuses_of(session, self.integration_id, list(outcome.expected), lock=True)
        return {h: now.get(h) for h, status in outcome.expected.items() if now.get(h) != status}

    def _note_refusals(self, session: Session, refusals: list[RefusalNote], now: datetime) -> None:
        for note in refusals:
            for contact_id in note.contact_ids:
                key = (
                    f"mailchimp-refused:{self.integration_id}:{note.subscriber_hash}:{note.kind}:{contact_id}"
                )
                try:
                    record_activity(
                        session,
                        contact_id,
                        REFUSAL_ACTIVITY,
                        note.sentence[:300],
                        now,
                        source="mailchimp",
                        details={"integration_id": self.integration_id, "email": note.email},
                        dedupe_key=key,
                    )
                except NotFound:
                    continue  # the contact was deleted while the run went on: nobody to tell
