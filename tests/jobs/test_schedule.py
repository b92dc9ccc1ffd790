"""The nightly schedule: each integration once per night, at its local time plus a fixed spread, even
with two schedulers ticking at the same moment. The clock is an argument: ``now`` is given."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from constituent.crm.organization.models import OrganizationSettings
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger
from constituent.jobs import queue
from constituent.jobs.dispatch import request_sync
from constituent.jobs.registry import jobs_for
from constituent.jobs.schedule import due_night, enqueue_nightly, offset_of
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.jobs.conftest import queue_url
from tests.jobs.helpers import all_runs, bare_integrations, nightly_runs, synced_integrations

UTC_ZONE = ZoneInfo("UTC")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def settings(db: TestDatabase, tmp_path: Path) -> Settings:
    # A spread of one minute keeps every offset at zero, so the times below are exact.
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db.url,
        queue_url=queue_url("sqlite", tmp_path),
        nightly_spread_minutes=1,
    )


def tick(db: TestDatabase, settings: Settings, now: str) -> list[int]:
    return [
        q.integration_id
        for q in enqueue_nightly(Database(db.engine, db.sessions), settings, at(now), jobs_for(settings))
    ]


def test_nothing_is_queued_before_the_nightly_time(db: TestDatabase, settings: Settings) -> None:
    synced_integrations(db, "02:00", "03:30")
    assert tick(db, settings, "2026-11-23T01:59:00") == []


def test_each_integration_is_queued_once_when_its_time_has_come(db: TestDatabase, settings: Settings) -> None:
    early, late = synced_integrations(db, "02:00", "03:30")

    assert tick(db, settings, "2026-11-23T02:00:00") == [early]
    assert tick(db, settings, "2026-11-23T02:01:00") == []
    assert tick(db, settings, "2026-11-23T03:30:00") == [late]
    assert tick(db, settings, "2026-11-23T23:59:00") == []
    assert tick(db, settings, "2026-11-24T02:00:00") == [early]
    # The first night's run is still queued (no worker here): the second night returns it.
    assert [(r.integration_id, r.trigger, r.status) for r in nightly_runs(db)] == [
        (early, RunTrigger.schedule, RunStatus.queued),
        (late, RunTrigger.schedule, RunStatus.queued),
    ]


def test_a_scheduler_that_was_down_catches_up_once_the_same_day(db: TestDatabase, settings: Settings) -> None:
    (integration,) = synced_integrations(db, "02:00")
    assert tick(db, settings, "2026-11-23T01:00:00") == []  # last night's start was yesterday: gone
    assert tick(db, settings, "2026-11-23T09:15:00") == [integration]
    assert tick(db, settings, "2026-11-23T09:16:00") == []


def test_two_schedulers_ticking_at_once_queue_each_integration_once(
    db: TestDatabase, settings: Settings
) -> None:
    integrations = synced_integrations(db, *["02:00"] * 6)
    barrier = threading.Barrier(2)
    queued: list[list[int]] = []

    def scheduler() -> None:
        barrier.wait()
        queued.append(tick(db, settings, "2026-11-23T02:00:00"))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(queued[0] + queued[1]) == integrations
    assert sorted(run.integration_id for run in nightly_runs(db)) == integrations
    huey = jobs_for(settings).huey
    assert huey.pending_count() == len(integrations)
    assert {huey.dequeue().priority for _ in integrations} == {queue.PRIORITY_BACKGROUND}  # type: ignore[union-attr]


def test_the_organization_time_zone_decides_when_night_falls(db: TestDatabase, settings: Settings) -> None:
    (integration,) = synced_integrations(db, "02:00")
    with session_scope(db.sessions) as session:
        session.add(OrganizationSettings(timezone="America/New_York"))

    assert tick(db, settings, "2026-11-23T06:59:00") == []  # 01:59 in New York (02:00 UTC is long past)
    assert tick(db, settings, "2026-11-23T07:00:00") == [integration]  # 02:00 EST


def test_an_integration_whose_first_sync_was_never_started_gets_no_nightly_run(
    db: TestDatabase, settings: Settings
) -> None:
    """No unannounced catch-up run a minute after connecting (today's nightly time long past): the
    nightly waits until the admin starts the first sync."""
    (waiting,) = bare_integrations(db, "02:00")
    preview = request_sync(
        Database(db.engine, db.sessions),
        settings,
        waiting,
        mode=RunMode.incremental,
        trigger=RunTrigger.ui,
        dry_run=True,
    )

    assert tick(db, settings, "2026-11-23T09:15:00") == []  # a preview is not the first sync
    first = request_sync(
        Database(db.engine, db.sessions), settings, waiting, mode=RunMode.incremental, trigger=RunTrigger.ui
    )
    assert (preview.trigger, first.trigger) == (RunTrigger.ui, RunTrigger.first_sync)
    assert tick(db, settings, "2026-11-24T02:00:00") == [waiting]  # covered by the queued first sync
    assert [run.id for run in all_runs(db)] == [preview.id, first.id]


@pytest.mark.slow
def test_an_integration_already_syncing_is_not_queued_twice(db: TestDatabase, settings: Settings) -> None:
    (integration,) = bare_integrations(db, "02:00")
    pressed = request_sync(
        Database(db.engine, db.sessions), settings, integration, mode=RunMode.full, trigger=RunTrigger.ui
    )

    assert tick(db, settings, "2026-11-23T02:00:00") == [integration]
    assert [run.id for run in all_runs(db)] == [pressed.id]  # the night is covered by the queued run


def test_offsets_are_fixed_per_integration_and_spread_across_the_window() -> None:
    offsets = [offset_of(i, 60) for i in range(1, 2001)]

    assert offsets == [offset_of(i, 60) for i in range(1, 2001)]
    assert all(timedelta(0) <= o < timedelta(minutes=60) for o in offsets)
    per_minute = [offsets.count(timedelta(minutes=m)) for m in range(60)]
    assert max(per_minute) < 3 * 2000 / 60  # no minute takes more than three times its share


@pytest.mark.parametrize(
    ("now", "nightly", "night"),
    [
        ("2026-11-23T02:19:00", "02:00", None),  # before today's start (02:00 + 20 min)
        ("2026-11-23T02:20:00", "02:00", date(2026, 11, 23)),
        ("2026-11-23T23:00:00", "02:00", date(2026, 11, 23)),
        ("2026-11-23T23:59:00", "23:50", date(2026, 11, 22)),  # the 22nd's night began at 00:10
        ("2026-11-24T00:10:00", "23:50", date(2026, 11, 23)),
        ("2026-11-24T23:00:00", "23:50", date(2026, 11, 23)),
    ],
)
def test_a_night_is_due_once_its_start_has_passed_today(now: str, nightly: str, night: date | None) -> None:
    assert due_night(nightly, timedelta(minutes=20), UTC_ZONE, at(now)) == night
