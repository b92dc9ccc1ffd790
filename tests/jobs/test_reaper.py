"""The reaper: a running run whose heartbeat stopped and whose lease is gone is interrupted and queued
again; a living run (fresh heartbeat, or a lease still held) is left alone; a queued run whose message
may have been lost is handed to the queue again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from constituent.integrations.mailchimp.sync import lease, runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger
from constituent.jobs import dispatch
from constituent.jobs.reaper import REQUEUE_QUEUED_AFTER, reap
from constituent.jobs.registry import jobs_for
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.jobs.conftest import queue_url
from tests.jobs.helpers import all_runs, bare_integrations

TTL = timedelta(seconds=60)


@pytest.fixture
def settings(db: TestDatabase, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db.url,
        queue_url=queue_url("sqlite", tmp_path),
        sync_lease_seconds=60,
    )


def database_of(db: TestDatabase) -> Database:
    return Database(db.engine, db.sessions)


def running_run(db: TestDatabase, settings: Settings, integration_id: int, *, confirm: bool = False) -> int:
    run = dispatch.request_sync(
        database_of(db),
        settings,
        integration_id,
        mode=RunMode.full,
        trigger=RunTrigger.ui,
        confirm_removals=confirm,
    )
    with session_scope(db.sessions) as session:
        assert runs.start_queued(session, run.id, utcnow() - 2 * TTL)  # heartbeat two lifetimes ago
    jobs_for(settings).huey.flush()
    return run.id


def test_a_run_without_heartbeat_or_lease_is_interrupted_and_queued_again(
    db: TestDatabase, settings: Settings
) -> None:
    (integration,) = bare_integrations(db, "02:00")
    dead = running_run(db, settings, integration, confirm=True)

    reaped = reap(database_of(db), settings, utcnow(), jobs_for(settings))

    killed, again = all_runs(db)
    assert reaped.interrupted == [dead] and reaped.requeued == [again.id]
    assert killed.status is RunStatus.interrupted and killed.finished_at is not None
    assert (again.status, again.mode, again.trigger) == (
        RunStatus.queued,
        RunMode.full,
        RunTrigger.first_sync,  # the dead run was the integration's first: the new one carries it on
    )
    assert again.confirm_removals is True  # the person's confirmation carries over
    task = jobs_for(settings).huey.dequeue()
    assert task is not None and task.args == (again.id,)
    assert reap(database_of(db), settings, utcnow(), jobs_for(settings)).interrupted == []


def test_a_run_with_a_fresh_heartbeat_is_left_alone(db: TestDatabase, settings: Settings) -> None:
    (integration,) = bare_integrations(db, "02:00")
    alive = running_run(db, settings, integration)
    with session_scope(db.sessions) as session:
        runs.set_fields(session, alive, heartbeat_at=utcnow())

    assert reap(database_of(db), settings, utcnow(), jobs_for(settings)).interrupted == []
    assert [run.status for run in all_runs(db)] == [RunStatus.running]


def test_a_run_whose_lease_is_still_held_is_left_alone(db: TestDatabase, settings: Settings) -> None:
    (integration,) = bare_integrations(db, "02:00")
    running_run(db, settings, integration)
    lease.acquire(db.sessions, integration, owner="slow-but-alive", ttl=TTL)

    assert reap(database_of(db), settings, utcnow(), jobs_for(settings)).interrupted == []
    assert [run.status for run in all_runs(db)] == [RunStatus.running]


def test_a_queued_run_waiting_too_long_is_handed_to_the_queue_again(
    db: TestDatabase, settings: Settings
) -> None:
    (integration,) = bare_integrations(db, "02:00")
    waiting = dispatch.request_sync(
        database_of(db), settings, integration, mode=RunMode.incremental, trigger=RunTrigger.schedule
    )
    huey = jobs_for(settings).huey
    huey.flush()  # the message was lost (say, with a worker killed right after taking it)

    assert reap(database_of(db), settings, utcnow(), jobs_for(settings)).handed_again == []
    later = utcnow() + REQUEUE_QUEUED_AFTER + timedelta(seconds=1)
    huey.storage.enqueue(b"someone else's backlog", 0)
    assert (
        reap(database_of(db), settings, later, jobs_for(settings)).handed_again == []
    )  # still draining: not lost yet
    huey.flush()
    assert reap(database_of(db), settings, later, jobs_for(settings)).handed_again == [waiting.id]
    assert (
        reap(database_of(db), settings, later, jobs_for(settings)).handed_again == []
    )  # not again right away
    assert huey.pending_count() == 1
