"""Recording what a page of requests achieved: ledger rows, the run's counters and errors, refusals on
contacts; and, before a request, its compare-and-set and intent rows (``Claim``). Committed here, so a
crash loses at most the pages in flight and a rerun (which re-plans from the ledger) repeats none of the
recorded ones. The jobs the writer had queued go in one transaction (``write``, fed by ``writer``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
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


def _changed(held: Mapping[str, ledger.HeldRow], expected: Mapping[str, RemoteStatus | None]) -> Changed:
    """The addresses whose row holds another status than the run expected (None: no row), with it."""
    changed: Changed = {}
    for subscriber_hash, status in expected.items():
        row = held.get(subscriber_hash)
        now = None if row is None else row.status
        if now != status:
            changed[subscriber_hash] = now
    return changed


@dataclass(frozen=True, slots=True)
class Claim:
    """Before a request: the status each address had when the run planned, and the intent rows to store."""

    expected: Mapping[str, RemoteStatus | None]
    intents: Mapping[str, LedgerEntry]


@dataclass(frozen=True, slots=True)
class Commit:
    """After a request: what the page achieved."""

    phase: str
    outcome: PageOutcome


WriterJob = Claim | Commit
# Addresses whose ledger row another writer changed since the run planned, with their status now.
Changed = dict[str, RemoteStatus | None]


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

    def write(self, jobs: Sequence[WriterJob]) -> list[Changed]:
        """The jobs, in order, in one transaction (one fence, one COMMIT): what the writer had queued.

        Returns each job's changed addresses (a claim's are not to be sent; a commit's are left as
        they are)."""
        now = utcnow()
        results: list[Changed] = []
        answered = [job for job in jobs if isinstance(job, Commit)]
        with session_scope(self.sessions) as session:
            self._fence(session)
            for job in jobs:
                if isinstance(job, Claim):
                    results.append(self._claim(session, job, now))
                else:
                    results.append(self._commit(session, job.outcome, now))
            if answered:
                self._note_progress(session, answered, now)
        if answered and self.progress is not None:
            self.progress(answered[-1].phase, self.done, self.total)
        return results

    def _claim(self, session: Session, job: Claim, now: datetime) -> Changed:
        """Before a request goes out: compare each address's ledger status with what the run planned
        from, and store the intent rows of the unchanged ones (the intent log)."""
        expected, intents = job.expected, job.intents
        # Members to create where we know no row: the row is the check (none there yet) and the intent.
        creates = [entry for h, entry in intents.items() if expected.get(h) is None]
        created = ledger.create_absent(session, self.integration_id, creates, now)
        rest = [h for h in expected if h not in created]
        held = ledger.held_rows(session, self.integration_id, rest)
        changed = _changed(held, {h: expected[h] for h in rest})
        rows = [LedgerUpdate(e) for h, e in intents.items() if h not in changed and h not in created]
        ledger.save(session, self.integration_id, rows, now, held)
        return changed

    def _fence(self, session: Session) -> None:
        if self.held is not None:
            lease.fence(session, self.held)

    def _commit(self, session: Session, outcome: PageOutcome, now: datetime) -> Changed:
        """Store a page's answers; the members whose row changed under the run are left as they are."""
        self.done += outcome.done
        held = ledger.held_rows(session, self.integration_id, outcome.expected) if outcome.expected else {}
        changed = _changed(held, outcome.expected)
        ledger.forget_hashes(session, self.integration_id, outcome.forget)
        for forgotten in outcome.forget:
            held.pop(forgotten, None)
        updates = [_answered(u) for u in outcome.updates if u.entry.subscriber_hash not in changed]
        ledger.save(session, self.integration_id, updates, now, held)
        for error in outcome.errors:
            ledger.record_error(session, self.integration_id, error.subscriber_hash, error.message)
        self._note_refusals(session, outcome.refusals, now)
        return changed

    def _note_progress(self, session: Session, answered: list[Commit], now: datetime) -> None:
        """The batch's errors and counters, and where the run stands: one statement each for the whole
        batch (a statement per page was a round trip each, and on PostgreSQL a wait for the GIL)."""
        runs.add_errors(session, self.run_id, [e for job in answered for e in job.outcome.errors])
        counts: Counter[RunCounter] = Counter()
        for job in answered:
            counts.update(job.outcome.counts)
        runs.add_counts(
            session,
            self.run_id,
            counts,
            phase=answered[-1].phase,
            heartbeat_at=now,
            requests_read=self.stats.reads,
            requests_write=self.stats.writes,
            progress_done=self.done,
            progress_total=self.total,
        )

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
