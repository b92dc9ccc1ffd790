"""One run per integration at a time: a second caller waits for the first, and a dead holder's lease
expires so the next run can take over."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from constituent.integrations.mailchimp.sync import lease, runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect


@pytest.mark.slow
def test_a_sync_waits_for_the_run_holding_the_lease_and_starts_after_it(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")
    sessions = product.db.sessions
    holder = lease.acquire(sessions, audience.integration_id, owner="worker-1")
    waited = threading.Event()
    finished: list[SyncRun] = []

    def call_sync() -> None:
        finished.append(audience.sync(waiting=waited.set))

    caller = threading.Thread(target=call_sync)
    caller.start()
    assert waited.wait(timeout=10)
    assert audience.members() == {}  # nothing happens while the other run holds the lease
    released_at = utcnow()
    lease.release(sessions, holder)
    caller.join(timeout=30)

    (run,) = finished
    assert run.status is RunStatus.succeeded, run.message
    assert run.started_at is not None and run.started_at >= released_at
    assert set(audience.members()) == {"ada@mailbox.org"}


@pytest.mark.slow
def test_the_lease_of_a_dead_process_expires_and_its_run_is_marked_interrupted(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")
    sessions = product.db.sessions
    lease.acquire(sessions, audience.integration_id, owner="dead-worker", ttl=timedelta(seconds=1))
    with session_scope(sessions) as session:
        abandoned = runs.create(
            session,
            audience.integration_id,
            trigger=RunTrigger.schedule,
            mode=RunMode.incremental,
            dry_run=False,
            now=utcnow(),
        ).id

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    with sessions() as session:
        assert runs.get(session, abandoned).status is RunStatus.interrupted


@pytest.mark.slow
def test_a_holder_renews_its_lease_while_it_works(product: Product) -> None:
    audience = connect(product)
    sessions = product.db.sessions
    held = lease.acquire(sessions, audience.integration_id, ttl=timedelta(seconds=0.3))

    with lease.kept_alive(sessions, held):
        threading.Event().wait(1.0)  # three lifetimes: only renewals keep it ours
        assert not lease.try_take(sessions, audience.integration_id, owner="someone-else")

    assert not held.lost.is_set()
    lease.release(sessions, held)
    assert lease.try_take(sessions, audience.integration_id, owner="someone-else")
