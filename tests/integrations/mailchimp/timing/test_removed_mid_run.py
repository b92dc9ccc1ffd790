"""Issue 14: an integration removed while its run is under way. The holding proxy holds the run's first
read of the audience while the test removes the integration (its run history goes with it), then lets
the answer through. The worker ends the run quietly ("cancelled", no traceback) and a CLI run says so
in one plain line."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from structlog.testing import capture_logs

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunTrigger, SyncRun
from constituent.jobs import tasks
from constituent.jobs.dispatch import request_sync
from constituent.jobs.registry import use_database
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.consent.windows import point_at
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect
from tests.support.holding_proxy import HoldingProxy

T = TypeVar("T")


def _removed_while_held(audience: Audience, proxy: HoldingProxy, run: Callable[[], T]) -> T:
    """Start ``run`` in a thread, hold its first read of the members, remove the integration in that
    window, let the answer through and return what ``run`` returned."""
    held = proxy.hold("GET", rf"/lists/{audience.audience_id}/members$")
    point_at(audience, proxy.api_base)
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(run)
        held.wait_arrived()
        product = audience.product
        with session_scope(product.db.sessions) as session:
            asyncio.run(service.remove(session, product.box, audience.integration_id))
        held.release()
        return running.result(timeout=60)


def test_a_worker_whose_integration_is_removed_mid_run_ends_it_cancelled_without_a_traceback(
    product: Product,
    holding_proxy_factory: Callable[[str], HoldingProxy],
    caplog: pytest.LogCaptureFixture,
) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org", "bob@mailbox.org")
    proxy = holding_proxy_factory(product.emulator.base_url)
    caplog.set_level(logging.INFO)
    use_database(product.settings, audience.database)  # the worker's tasks use this test's database

    def press() -> SyncRun:
        # The memory queue runs the worker's task in this thread, as a worker would.
        return request_sync(
            audience.database,
            product.settings,
            audience.integration_id,
            mode=RunMode.incremental,
            trigger=RunTrigger.ui,
        )

    with capture_logs() as ours:  # our structlog events; caplog has the queue's (Huey's) own
        _removed_while_held(audience, proxy, press)

    tracebacks = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert tracebacks == []
    assert [e for e in ours if "exc_info" in e or e["log_level"] in ("error", "critical")] == []
    ended = [e for e in ours if e["event"] == "sync run ended"]
    assert [(e["status"], e["message"]) for e in ended] == [("cancelled", "the integration was removed")]
    assert audience.members() == {}  # nothing was written after the removal


def test_a_queued_run_whose_integration_was_removed_before_a_worker_took_it_ends_quietly(
    product: Product,
) -> None:
    audience = connect(product)
    with session_scope(product.db.sessions) as session:
        queued = runs.create(
            session,
            audience.integration_id,
            trigger=RunTrigger.ui,
            mode=RunMode.incremental,
            dry_run=False,
            now=utcnow(),
            queued=True,
        )
        asyncio.run(service.remove(session, product.box, audience.integration_id))

    with capture_logs() as ours:
        tasks.run_sync(audience.database, product.settings, queued.id)  # what the worker calls

    assert [(e["event"], e["status"]) for e in ours] == [("sync run ended", "cancelled")]


def test_a_cli_run_whose_integration_is_removed_says_cancelled_in_one_plain_line(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")
    proxy = holding_proxy_factory(product.emulator.base_url)
    command = ("mailchimp", "sync", "--integration", str(audience.integration_id))

    def sync() -> subprocess.CompletedProcess[str]:
        return product.cli(*command)

    result = _removed_while_held(audience, proxy, sync)

    assert result.stdout.strip() == "cancelled: the integration was removed"
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert audience.members() == {}
