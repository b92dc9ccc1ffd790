"""The tasks every worker knows, the schedules only the periodic one runs, and the consumer's shape."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from constituent.jobs.registry import build_jobs
from constituent.jobs.worker import consumer_for
from constituent.kit.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, queue_url=f"sqlite:///{tmp_path / 'queue.db'}")


def test_every_worker_knows_the_same_task_names(settings: Settings) -> None:
    names = set(build_jobs(settings).huey._registry._registry)
    assert names == {
        f"constituent.jobs.registry.{name}"
        for name in (
            "run_sync",
            "process_webhooks",
            "import_campaigns",
            "nightly_tick",
            "reap",
            "sweep_webhooks",
            "reconcile",
            "track_campaigns",
        )
    }


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        ("2026-11-23T03:17:00", {"nightly_tick", "reap", "sweep_webhooks", "reconcile"}),
        ("2026-11-23T03:30:00", {"nightly_tick", "reap", "sweep_webhooks", "track_campaigns"}),
        ("2026-11-23T03:31:00", {"nightly_tick", "reap", "sweep_webhooks"}),
    ],
)
def test_the_schedules_fire_every_minute_hourly_and_quarter_hourly(
    settings: Settings, moment: str, due: set[str]
) -> None:
    jobs = build_jobs(settings)
    fired = {
        name
        for name, task in jobs.periodic.items()
        if task.task_class().validate_datetime(datetime.fromisoformat(moment))
    }
    assert fired == due


@pytest.mark.parametrize("periodic", [True, False])
def test_only_a_consumer_started_with_periodic_runs_the_schedules(settings: Settings, periodic: bool) -> None:
    consumer = consumer_for(build_jobs(settings), workers=3, periodic=periodic)
    assert consumer.periodic is periodic and consumer.workers == 3 and consumer.worker_type == "thread"
