"""Requesting a sync: a queued run row handed to the queue, or the run already queued or running (the
database's partial unique index decides, also between simultaneous requests)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from structlog.testing import capture_logs

from constituent.crm.errors import NotFound
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.jobs import dispatch, queue
from constituent.jobs.registry import jobs_for
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.jobs.conftest import queue_url
from tests.jobs.helpers import all_runs, bare_integrations, synced_integrations


@pytest.fixture
def settings(db: TestDatabase, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db.url, queue_url=queue_url("sqlite", tmp_path))


def database_of(db: TestDatabase) -> Database:
    return Database(db.engine, db.sessions)


def force_sync(db: TestDatabase, settings: Settings, integration_id: int, **options: object) -> SyncRun:
    options = {"mode": RunMode.incremental, "trigger": RunTrigger.ui, **options}
    return dispatch.request_sync(database_of(db), settings, integration_id, **options)  # type: ignore[arg-type]


def test_a_request_queues_a_run_and_hands_it_to_the_queue_at_high_priority(
    db: TestDatabase, settings: Settings
) -> None:
    (integration,) = synced_integrations(db, "02:00")

    run = force_sync(db, settings, integration)

    assert (run.status, run.mode, run.trigger, run.started_at) == (
        RunStatus.queued,
        "incremental",
        "ui",
        None,
    )
    task = jobs_for(settings).huey.dequeue()
    assert task is not None and task.args == (run.id,) and task.priority == queue.PRIORITY_FORCE_SYNC


def test_pressing_again_while_queued_or_running_returns_that_run(
    db: TestDatabase, settings: Settings
) -> None:
    (integration,) = bare_integrations(db, "02:00")
    first = force_sync(db, settings, integration)
    again = force_sync(db, settings, integration, mode=RunMode.full)
    with session_scope(db.sessions) as session:
        assert runs.start_queued(session, first.id, utcnow())
    while_running = force_sync(db, settings, integration)

    assert again.id == first.id == while_running.id
    assert len(all_runs(db)) == 1
    assert jobs_for(settings).huey.pending_count() == 1


def test_once_the_run_has_ended_a_request_queues_a_new_one(db: TestDatabase, settings: Settings) -> None:
    (integration,) = bare_integrations(db, "02:00")
    first = force_sync(db, settings, integration)
    with session_scope(db.sessions) as session:
        runs.set_fields(session, first.id, status=RunStatus.succeeded, finished_at=utcnow())

    second = force_sync(db, settings, integration, mode=RunMode.full)

    assert second.id != first.id and second.mode is RunMode.full
    assert jobs_for(settings).huey.pending_count() == 2


def test_simultaneous_requests_make_one_run(db: TestDatabase, settings: Settings) -> None:
    (integration,) = bare_integrations(db, "02:00")
    barrier = threading.Barrier(8)
    answers: list[int] = []

    def press() -> None:
        barrier.wait()
        answers.append(force_sync(db, settings, integration).id)

    threads = [threading.Thread(target=press) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == 8 and len(set(answers)) == 1
    assert len(all_runs(db)) == 1


def test_the_database_refuses_a_second_active_run_but_not_a_dry_run(
    db: TestDatabase, settings: Settings
) -> None:
    (integration,) = bare_integrations(db, "02:00")
    force_sync(db, settings, integration)
    dry = force_sync(db, settings, integration, dry_run=True)

    with pytest.raises(IntegrityError), session_scope(db.sessions) as session:
        runs.create(
            session,
            integration,
            trigger=RunTrigger.cli,
            mode=RunMode.incremental,
            dry_run=False,
            now=utcnow(),
        )
    assert dry.dry_run and dry.status is RunStatus.queued
    assert len(all_runs(db)) == 2


def test_a_request_for_an_unknown_integration_is_not_found(db: TestDatabase, settings: Settings) -> None:
    with pytest.raises(NotFound):
        force_sync(db, settings, 999)
    assert all_runs(db) == []


def test_schedule_and_resync_requests_queue_behind_force_sync(db: TestDatabase, settings: Settings) -> None:
    nightly, resync, force = synced_integrations(db, "02:00", "02:00", "02:00")
    force_sync(db, settings, nightly, trigger=RunTrigger.schedule)
    force_sync(db, settings, resync, mode=RunMode.full)
    force_sync(db, settings, force)

    huey = jobs_for(settings).huey
    order = [huey.dequeue().args[0] for _ in range(3)]  # type: ignore[union-attr]

    by_run = {run.id: run.integration_id for run in all_runs(db)}
    assert [by_run[run_id] for run_id in order] == [force, resync, nightly]


def test_asking_for_webhook_processing_never_raises_when_the_queue_is_down(tmp_path: Path) -> None:
    unreachable = Settings(data_dir=tmp_path / "data", queue_url="redis://127.0.0.1:1/0")

    with capture_logs() as logs:
        dispatch.request_webhook_processing(unreachable, 1)

    assert [(e["event"], e["integration_id"]) for e in logs] == [
        ("queue unreachable; the webhook waits for the sweep", 1)
    ]


def test_a_run_that_cannot_be_handed_over_stays_queued_for_the_reaper(
    db: TestDatabase, tmp_path: Path
) -> None:
    (integration,) = bare_integrations(db, "02:00")
    unreachable = Settings(data_dir=tmp_path / "data", database_url=db.url, queue_url="redis://127.0.0.1:1/0")

    run = force_sync(db, unreachable, integration)

    assert run.status is RunStatus.queued
