"""The checks of our own side: the job queue and its worker, the nightly schedule, the last run.

They read what the jobs already leave behind (queued runs and their hand-over time, running runs'
heartbeats, the nightly claims) rather than a mechanism of their own. ``now`` is an argument.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.doctor.schemas import CheckName, CheckResult, failing, passing
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync import lease, runs
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.integrations.mailchimp.sync.outcome import outcome_words
from constituent.jobs import repository as jobs
from constituent.jobs.reaper import REQUEUE_QUEUED_AFTER
from constituent.jobs.registry import queue_problem
from constituent.jobs.schedule import night_start, offset_of, organisation_zone
from constituent.kit.settings import Settings

# The scheduler ticks every minute: a night still unclaimed this long after its start was missed.
NIGHTLY_GRACE = timedelta(minutes=5)
START_WORKER = (
    "Start the background worker on the server (the `constituent worker` command, or the web server "
    "started together with its worker)."
)
RECENT_RUNS = 20


def worker(session: Session, settings: Settings, integration_id: int, now: datetime) -> CheckResult:
    name = CheckName.worker
    problem = queue_problem(settings)
    if problem is not None:
        return failing(
            name, f"The job queue does not answer ({problem}).", "Check the queue's address and that it runs."
        )
    waiting = [
        r
        for r in jobs.stale_queued(session, now - REQUEUE_QUEUED_AFTER)
        if r.integration_id == integration_id
    ]
    if waiting:
        minutes = int((now - (waiting[0].heartbeat_at or now)).total_seconds() // 60)
        return failing(
            name, f"A sync has waited in the queue for {minutes} minutes: no worker takes work.", START_WORKER
        )
    ttl = lease.ttl_of(settings)
    dead = [r for r in jobs.stale_running(session, now, now - ttl) if r.integration_id == integration_id]
    if dead:
        return failing(
            name,
            f"Sync run {dead[0].id} stopped without finishing: the worker running it is gone.",
            START_WORKER + " It takes the run up again where it stopped.",
        )
    return passing(name, "The queue answers and no sync of this integration is left waiting.")


def nightly(
    session: Session, settings: Settings, integration: MailchimpIntegration, now: datetime
) -> CheckResult:
    name = CheckName.nightly
    if not runs.has_synced(session, integration.id):
        # The schedule leaves an integration alone until its first sync was started (issue 14).
        return passing(name, "The nightly sync starts after the first sync, which waits for you to start it.")
    zone = organisation_zone(session)
    offset = offset_of(integration.id, settings.nightly_spread_minutes)
    today = now.astimezone(zone).date()
    starts = {
        night: night_start(night, integration.nightly_time, offset, zone)
        for night in (today - timedelta(days=1), today, today + timedelta(days=1))
    }
    due = [n for n, start in starts.items() if integration.created_at <= start <= now - NIGHTLY_GRACE]
    if not due:
        upcoming = min(start for start in starts.values() if start > now - NIGHTLY_GRACE)
        return passing(name, f"The first nightly sync is due at {upcoming:%Y-%m-%d %H:%M} ({zone.key}).")
    night = max(due)
    if (integration.id, night) in jobs.claimed_nights(session, night):
        return passing(name, f"Scheduled: the nightly sync of {night:%Y-%m-%d} was queued.")
    return failing(
        name,
        f"The nightly sync due at {starts[night]:%Y-%m-%d %H:%M} ({zone.key}) was not queued: nothing runs "
        "the schedule.",
        START_WORKER + " The schedule runs in every worker started with its periodic tasks.",
    )


_FIXES = {
    RunStatus.failed: "Read its message on the integration's page, put right what it names, then Force Sync.",
    RunStatus.needs_confirmation: (
        "Preview the next sync to see who would be archived, then confirm the removals."
    ),
    RunStatus.interrupted: "A running worker queues it again by itself; otherwise press Force Sync.",
}


def last_run(session: Session, integration_id: int) -> CheckResult:
    name = CheckName.last_run
    recent = runs.list_for_integration(session, integration_id, limit=RECENT_RUNS)
    run = next((r for r in recent if not r.dry_run), None)
    if run is None:
        return passing(name, "No sync has run yet.")
    words = outcome_words(run.status, run.errors)
    found = f"Run {run.id}: {words}." + (f" {run.message}" if run.message else "")
    fix = _FIXES.get(run.status)
    return passing(name, found) if fix is None else failing(name, found, fix)
