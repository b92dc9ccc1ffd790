"""Recording what a page of requests achieved: ledger rows, the run's counters and errors, refusals on
contacts. Each page is one transaction, committed here, so a crash loses at most the pages in flight
and a rerun (which re-plans from the ledger) repeats none of the recorded ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from constituent.crm.activities.service import record_activity
from constituent.crm.errors import NotFound
from constituent.integrations.mailchimp.client import RequestStats
from constituent.integrations.mailchimp.sync import ledger, runs
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.models import RunCounter
from constituent.integrations.mailchimp.sync.types import MemberError
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

    def merge(self, other: PageOutcome) -> None:
        self.updates += other.updates
        self.forget += other.forget
        self.counts.update(other.counts)
        self.errors += other.errors
        self.refusals += other.refusals
        self.done += other.done


@dataclass
class Recorder:
    sessions: sessionmaker[Session]
    integration_id: int
    run_id: int
    stats: RequestStats
    total: int
    progress: Progress | None = None
    done: int = 0

    def commit(self, phase: str, outcome: PageOutcome) -> None:
        now = utcnow()
        self.done += outcome.done
        with session_scope(self.sessions) as session:
            ledger.forget_hashes(session, self.integration_id, outcome.forget)
            ledger.save(session, self.integration_id, outcome.updates, now)
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
