"""Two `constituent worker` processes, on the SQLite queue and on Redis + PostgreSQL: repeated Force Sync
presses never run one integration twice at once and a press while a run is queued or running returns
that run; a worker killed mid-run (SIGKILL) is reaped, its run queued again and finished by the other
worker, and the audience ends exactly as the database wants it."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.jobs.dispatch import request_sync
from constituent.jobs.reaper import reap
from constituent.jobs.registry import jobs_for
from constituent.kit.clock import utcnow
from tests.integrations.mailchimp.sync.sync_helpers import Audience, connect
from tests.jobs.conftest import Worker, wait_for
from tests.jobs.stack import LEASE_SECONDS, STACKS, Stack, many_people, open_stack, subscribed
from tests.support.emulator import RunningEmulator

pytestmark = pytest.mark.slow  # minutes on a loaded machine: left out of `make check`


@pytest.fixture(params=STACKS)
def stack(
    request: pytest.FixtureRequest, tmp_path: Path, emulator_factory: Callable[..., RunningEmulator]
) -> Iterator[Stack]:
    yield from open_stack(request.param, tmp_path, emulator_factory, latency_ms=150)


def press(stack: Stack, audience: Audience, mode: RunMode = RunMode.incremental) -> SyncRun:
    return request_sync(
        stack.database, stack.product.settings, audience.integration_id, mode=mode, trigger=RunTrigger.ui
    )


def presses_at_once(stack: Stack, audience: Audience, count: int) -> set[int]:
    answers: list[int] = []

    def click() -> None:
        answers.append(press(stack, audience).id)

    clickers = [threading.Thread(target=click) for _ in range(count)]
    for clicker in clickers:
        clicker.start()
    for clicker in clickers:
        clicker.join(timeout=30)
    assert len(answers) == count
    return set(answers)


def ended_logged(workers: list[Worker], expected: int) -> list[int]:
    """How many runs each worker logged as ended. A worker logs a run just after its row says finished,
    so wait (on the logs, up to 30 s) until the ``expected`` lines are there."""
    deadline = time.monotonic() + 30
    while True:
        ran_by = [w.output().count("sync run ended") for w in workers]
        if sum(ran_by) >= expected or time.monotonic() > deadline:
            return ran_by
        time.sleep(0.1)


def assert_never_overlapping(runs: list[SyncRun]) -> None:
    by_integration: dict[int, list[SyncRun]] = {}
    for run in runs:
        by_integration.setdefault(run.integration_id, []).append(run)
    for integration_runs in by_integration.values():
        spans = sorted((r.started_at, r.finished_at) for r in integration_runs)
        for (_, finished), (started, _) in itertools.pairwise(spans):
            assert finished is not None and started is not None and started >= finished, spans


def test_repeated_force_syncs_on_two_workers_never_overlap_and_duplicates_get_the_same_run(
    stack: Stack, start_worker: Callable[..., Worker]
) -> None:
    audiences = [connect(stack.product) for _ in range(4)]
    many_people(stack.product, 1200)
    workers = [
        start_worker(stack.product, stack.queue, "--workers", "2", lease_seconds=LEASE_SECONDS),
        start_worker(
            stack.product, stack.queue, "--workers", "2", "--no-periodic", lease_seconds=LEASE_SECONDS
        ),
    ]

    for round_ in range(6):
        for audience in audiences:
            presses = [press(stack, audience, RunMode.full if round_ == 3 else RunMode.incremental)]
            # Clicking three times more from three places at once: the same run every time.
            assert presses_at_once(stack, audience, 3) == {presses[0].id}
        time.sleep(0.4)
    runs = stack.wait_until_idle()

    assert all(run.status is RunStatus.succeeded for run in runs), "\n".join(r.message for r in runs)
    assert_never_overlapping(runs)
    assert len({run.integration_id for run in runs}) == 4
    ran_by = ended_logged(workers, len(runs))
    assert all(count > 0 for count in ran_by) and sum(ran_by) == len(runs), ran_by
    for audience in audiences:
        assert subscribed(audience) == set(audience.desired_tags())
    assert [w.stop() for w in workers] == [0, 0]


def test_a_worker_killed_mid_run_is_reaped_and_the_other_worker_finishes_the_audience_exactly(
    stack: Stack, start_worker: Callable[..., Worker]
) -> None:
    audience = connect(stack.product)
    many_people(stack.product, 3000)
    workers = [
        start_worker(stack.product, stack.queue, "--no-periodic", lease_seconds=LEASE_SECONDS)
        for _ in range(2)
    ]
    first = press(stack, audience)
    wait_for(lambda: stack.run(first.id).phase == "applying", timeout=120, interval=0.02)

    holder = lease_holder_pid(stack, audience)
    victim = next(w for w in workers if w.process.pid == holder)
    survivor = next(w for w in workers if w is not victim)
    victim.kill()
    assert stack.run(first.id).status is RunStatus.running  # nobody has noticed yet

    reaped = wait_for(
        lambda: (
            reap(
                stack.database, stack.product.settings, utcnow(), jobs_for(stack.product.settings)
            ).interrupted
        ),
        timeout=30,
    )
    runs = stack.wait_until_idle()

    assert reaped == [first.id]
    killed, resumed = runs
    assert killed.status is RunStatus.interrupted and "no heartbeat" in killed.message
    assert resumed.status is RunStatus.succeeded, resumed.message
    # The killed run was the first sync: the run that resumes it is the first sync too.
    assert resumed.trigger is RunTrigger.first_sync and resumed.mode is RunMode.incremental
    # The worker logs the run's end just after committing it: wait for the line, not for luck.
    logged = (f"run_id={resumed.id}", f'"run_id": {resumed.id}')
    assert wait_for(lambda: any(line in survivor.output() for line in logged), timeout=30)
    assert subscribed(audience) == set(audience.desired_tags())
    assert len(audience.desired_tags()) == 3000
    assert survivor.stop() == 0


def lease_holder_pid(stack: Stack, audience: Audience) -> int:
    with stack.product.db.sessions() as session:
        owner = service.get_integration(session, audience.integration_id).lease_owner
    assert owner is not None
    return int(owner.split(":")[1])


def test_sigterm_lets_the_running_sync_finish_before_the_worker_exits(
    stack: Stack, start_worker: Callable[..., Worker]
) -> None:
    audience = connect(stack.product)
    many_people(stack.product, 1500)
    worker = start_worker(stack.product, stack.queue, "--no-periodic", lease_seconds=LEASE_SECONDS)
    run = press(stack, audience)
    wait_for(lambda: stack.run(run.id).phase == "applying", timeout=120, interval=0.02)

    assert worker.stop() == 0  # SIGTERM: graceful

    assert stack.run(run.id).status is RunStatus.succeeded
    assert len(subscribed(audience)) == 1500
