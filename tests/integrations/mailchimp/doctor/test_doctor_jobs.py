"""The doctor's checks of our own side, driven at an explicit moment: the worker (a run left waiting in
the queue), the nightly schedule (a night nobody claimed, then the scheduler's real tick) and the last
run's outcome."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from constituent.integrations.mailchimp.doctor.schemas import CheckName, CheckResult, DoctorReport
from constituent.integrations.mailchimp.doctor.service import examine
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger
from constituent.jobs.registry import jobs_for
from constituent.jobs.schedule import enqueue_nightly
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.doctor.conftest import Live

NOON = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _examine(live: Live, now: datetime) -> DoctorReport:
    with session_scope(live.product.db.sessions) as session:
        return asyncio.run(
            examine(session, live.product.box, live.product.settings, live.integration_id, now)
        )


def _check(live: Live, name: CheckName, now: datetime = NOON) -> CheckResult:
    return next(check for check in _examine(live, now).checks if check.name is name)


def _run(live: Live, now: datetime, **outcome: object) -> int:
    with session_scope(live.product.db.sessions) as session:
        run = runs.create(
            session,
            live.integration_id,
            trigger=RunTrigger.ui,
            mode=RunMode.incremental,
            dry_run=False,
            now=now,
        )
        runs.finish(session, run.id, finished_at=now, **outcome)
        return run.id


@pytest.mark.slow
def test_a_missed_night_fails_until_the_scheduler_queues_it_and_a_waiting_run_means_no_worker(
    live: Live,
) -> None:
    live.update_integration(created_at=NOON - timedelta(days=3), nightly_time="02:00")
    first_sync_started(live)

    missed = _check(live, CheckName.nightly)

    assert not missed.passed
    assert missed.found.startswith("The nightly sync due at 2026-12-05 0")
    assert missed.found.endswith("(UTC) was not queued: nothing runs the schedule.")
    assert "Start the background worker" in missed.fix and not missed.fixable

    enqueue_nightly(live.database, live.product.settings, NOON, jobs_for(live.product.settings))

    assert _check(live, CheckName.nightly).found == "Scheduled: the nightly sync of 2026-12-05 was queued."
    assert _check(live, CheckName.worker).passed
    two_hours_on = _check(live, CheckName.worker, NOON + timedelta(hours=2))
    assert two_hours_on.found == "A sync has waited in the queue for 120 minutes: no worker takes work."
    assert not two_hours_on.passed


def test_before_its_first_sync_an_integration_has_no_nightly_to_miss(live: Live) -> None:
    live.update_integration(created_at=NOON - timedelta(days=3), nightly_time="02:00")

    check = _check(live, CheckName.nightly)

    assert check.passed
    assert check.found == "The nightly sync starts after the first sync, which waits for you to start it."


def first_sync_started(live: Live) -> None:
    """A run that writes is on record: from then on the schedule runs the integration every night."""
    with session_scope(live.product.db.sessions) as session:
        run = runs.create(
            session,
            live.integration_id,
            trigger=RunTrigger.ui,
            mode=RunMode.incremental,
            dry_run=False,
            now=NOON,
        )
        runs.finish(session, run.id, status=RunStatus.succeeded, phase="done", finished_at=NOON, message="")


def test_a_new_integration_says_when_its_first_night_is_due(live: Live) -> None:
    live.update_integration(created_at=NOON, nightly_time="02:00")
    first_sync_started(live)

    check = _check(live, CheckName.nightly)

    assert check.passed
    assert check.found.startswith("The first nightly sync is due at 2026-12-06 0")


def test_a_run_whose_worker_died_fails_the_worker_check(live: Live) -> None:
    with session_scope(live.product.db.sessions) as session:
        run = runs.create(
            session, live.integration_id, trigger=RunTrigger.ui, mode=RunMode.full, dry_run=False, now=NOON
        )

    check = _check(live, CheckName.worker, NOON + timedelta(hours=1))

    assert check.found == f"Sync run {run.id} stopped without finishing: the worker running it is gone."
    assert check.fix.endswith("It takes the run up again where it stopped.")


def test_the_last_run_passes_unless_it_failed_or_waits_for_confirmation(live: Live) -> None:
    assert _check(live, CheckName.last_run).found == "No sync has run yet."

    _run(live, NOON, status=RunStatus.succeeded, errors=2)
    problems = _check(live, CheckName.last_run)
    assert problems.passed and "finished with 2 problems" in problems.found

    failed = _run(live, NOON, status=RunStatus.failed, message="Mailchimp could not be reached.")
    check = _check(live, CheckName.last_run)
    assert not check.passed
    assert check.found == f"Run {failed}: failed. Mailchimp could not be reached."
    assert check.fix.startswith("Read its message on the integration's page")

    _run(live, NOON, status=RunStatus.needs_confirmation)
    assert _check(live, CheckName.last_run).fix.startswith("Preview the next sync")
