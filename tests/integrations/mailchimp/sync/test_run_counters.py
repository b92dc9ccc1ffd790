"""A run's counters are an enum: adding to one the applier misspelt fails loudly instead of being dropped;
its request counts are the client's at the end of the run, however it ends."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunCounter, RunMode, RunStatus, RunTrigger
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.consent.windows import point_at
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect
from tests.jobs.helpers import bare_integrations
from tests.support.holding_proxy import HoldingProxy


def test_counts_are_added_by_counter_and_a_misspelt_name_is_refused(db: TestDatabase) -> None:
    (integration,) = bare_integrations(db, "02:00")
    with session_scope(db.sessions) as session:
        run = runs.create(
            session, integration, trigger=RunTrigger.cli, mode=RunMode.full, dry_run=False, now=utcnow()
        )
        runs.add_counts(session, run.id, Counter({RunCounter.created: 2, RunCounter.tags_added: 3}))
        runs.add_counts(session, run.id, {RunCounter.created: 1})
        with pytest.raises(ValueError, match="tag_added"):
            runs.add_counts(session, run.id, {"tag_added": 1})  # type: ignore[dict-item]
        run_id = run.id
    with db.sessions() as session:
        counted = runs.get(session, run_id).counters()
    assert (counted["created"], counted["tags_added"], counted["updated"]) == (3, 3, 0)


def test_a_run_that_fails_after_a_write_records_every_request_it_made(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    """The run row's request counts are the client's at the end of the run, whatever the ending: a run
    failing on its batch's answer had recorded only the reads made before it (its counts were last
    written after the reconcile, or with a stored answer)."""
    audience = connect(product)
    add_people(product, "ann@mailbox.org", "bob@mailbox.org")
    proxy = holding_proxy_factory(product.emulator.base_url)
    batch = proxy.hold("POST", rf"/lists/{audience.audience_id}$")
    point_at(audience, proxy.api_base)
    started = time.monotonic()

    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(audience.sync)
        batch.wait_arrived()
        # Mailchimp refuses the batch (a 400 is not retried): the run fails with no answer stored.
        product.emulator.control("PUT", "faults", {"error_rate": 1.0, "error_statuses": [400]})
        try:
            batch.release()
            run = running.result(timeout=60)
        finally:
            product.emulator.control("PUT", "faults", {})  # the emulator is shared with later tests

    assert run.status is RunStatus.failed, run.message
    assert run.requests_write == len(proxy.writes_since(started)) == 1
    assert run.requests_read >= 1
