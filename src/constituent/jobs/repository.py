"""Queries of the jobs: queued runs, stale runs, nightly claims (no commits here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.inbound.models import InboxStatus, WebhookEvent
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.integrations.mailchimp.sync.outcome import run_outcome
from constituent.jobs.models import NightlyRun

ACTIVE = (RunStatus.queued, RunStatus.running)


def active_run(session: Session, integration_id: int) -> SyncRun | None:
    """The integration's queued or running run that writes (the one-active-run index allows one)."""
    query = select(SyncRun).where(
        SyncRun.integration_id == integration_id,
        SyncRun.status.in_(ACTIVE),
        SyncRun.dry_run.is_(False),
    )
    return session.scalars(query).first()


def add_queued(
    session: Session,
    integration_id: int,
    *,
    mode: RunMode,
    trigger: RunTrigger,
    dry_run: bool,
    confirm_removals: bool,
    now: datetime,
) -> SyncRun:
    """A new queued run; ``heartbeat_at`` says when it was (last) handed to the queue."""
    return runs.create(
        session,
        integration_id,
        trigger=trigger,
        mode=mode,
        dry_run=dry_run,
        now=now,
        queued=True,
        confirm_removals=confirm_removals,
    )


def stale_running(session: Session, now: datetime, heartbeat_before: datetime) -> Sequence[SyncRun]:
    """Runs marked running whose heartbeat stopped and whose integration's lease is free or expired."""
    lease_gone = or_(MailchimpIntegration.lease_owner.is_(None), MailchimpIntegration.lease_expires_at < now)
    query = (
        select(SyncRun)
        .join(MailchimpIntegration, MailchimpIntegration.id == SyncRun.integration_id)
        .where(SyncRun.status == RunStatus.running, SyncRun.heartbeat_at < heartbeat_before, lease_gone)
        .order_by(SyncRun.id)
    )
    return session.scalars(query).all()


def mark_interrupted(session: Session, run_id: int, now: datetime, message: str) -> bool:
    """running → interrupted, only if it is still running (a late heartbeat or finish wins)."""
    result = session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status == RunStatus.running)
        .values(status=RunStatus.interrupted, phase="done", finished_at=now, message=message)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def stale_queued(session: Session, handed_before: datetime) -> Sequence[SyncRun]:
    """Queued runs handed to the queue long ago (the message may have been lost with a worker)."""
    query = (
        select(SyncRun)
        .where(SyncRun.status == RunStatus.queued, SyncRun.heartbeat_at < handed_before)
        .order_by(SyncRun.id)
    )
    return session.scalars(query).all()


def touch(session: Session, run_id: int, now: datetime) -> None:
    session.execute(update(SyncRun).where(SyncRun.id == run_id).values(heartbeat_at=now))


def nightly_times(session: Session) -> list[tuple[int, str]]:
    """(integration id, "HH:MM") of every integration whose first sync was started: a new one waits for
    the admin (no unannounced run a minute after connecting, when today's nightly time has passed)."""
    query = (
        select(MailchimpIntegration.id, MailchimpIntegration.nightly_time)
        .where(runs.first_sync_started(MailchimpIntegration.id))
        .order_by(MailchimpIntegration.id)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def claimed_nights(session: Session, since: date) -> set[tuple[int, date]]:
    query = select(NightlyRun.integration_id, NightlyRun.night).where(NightlyRun.night >= since)
    return {(row[0], row[1]) for row in session.execute(query)}


def claim_night(session: Session, integration_id: int, night: date, now: datetime) -> NightlyRun:
    """Insert the claim (flushes: a racing scheduler's claim makes this raise IntegrityError)."""
    claim = NightlyRun(integration_id=integration_id, night=night, claimed_at=now)
    session.add(claim)
    session.flush()
    return claim


def runs_by_outcome(session: Session) -> dict[str, int]:
    """Runs counted by ``sync.outcome.run_outcome``: a success with member errors is its own outcome."""
    had_errors = case((SyncRun.errors > 0, 1), else_=0)
    query = select(SyncRun.status, had_errors, func.count()).group_by(SyncRun.status, had_errors)
    counts: dict[str, int] = {}
    for status, errors, count in session.execute(query):
        outcome = run_outcome(RunStatus(status), int(errors))
        counts[outcome] = counts.get(outcome, 0) + int(count)
    return counts


def members_written(session: Session) -> int:
    """Members created or updated in Mailchimp by every run so far (dry runs count nothing)."""
    total = func.coalesce(func.sum(SyncRun.created + SyncRun.updated), 0)
    return int(session.scalar(select(total).where(SyncRun.dry_run.is_(False))) or 0)


def inbox_depth(session: Session) -> int:
    """Webhook deliveries stored and not processed yet."""
    query = select(func.count()).select_from(WebhookEvent).where(WebhookEvent.status == InboxStatus.received)
    return int(session.scalar(query) or 0)


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
    existing = None if dry_run else active_run(session, integration_id)
    if existing is not None:
        return existing, False
    run = add_queued(
        session,
        integration_id,
        mode=mode,
        trigger=trigger,
        dry_run=dry_run,
        confirm_removals=confirm_removals,
        now=now,
    )
    return run, True
