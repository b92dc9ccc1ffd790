"""A run's counters are an enum: adding to one the applier misspelt fails loudly instead of being dropped;
its request counts are the client's at the end of the run, however it ends."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event

from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunCounter, RunMode, RunStatus, RunTrigger
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.consent.windows import batch_path, sync_through
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
    batch = proxy.hold("POST", batch_path(audience))
    started = time.monotonic()

    running = sync_through(audience, proxy)
    batch.wait_arrived()
    # Mailchimp refuses the batch (a 400 is not retried): the run fails with no answer stored.
    before = product.emulator.control("GET", "faults")
    product.emulator.control("PUT", "faults", {"error_rate": 1.0, "error_statuses": [400]})
    try:
        batch.release()
        run = running.finish()
    finally:
        product.emulator.control("PUT", "faults", before)  # the emulator is shared with later tests

    assert run.status is RunStatus.failed, run.message
    assert run.requests_write == len(proxy.writes_since(started)) == 1
    assert run.requests_read >= 1


def test_a_run_with_nothing_to_send_updates_its_run_row_three_times_and_counts_its_reads(
    product: Product,
) -> None:
    """A nightly run that finds nothing to do: its phase when it starts planning, again when the slice is
    planned (with the reads made so far), and its outcome (with every request). Request counts written
    apart, and an "applying" phase for a slice with nothing to apply, were more round trips (PostgreSQL:
    about 3 ms each, of a 140 ms run; docs/BENCHMARKS.md, session 16)."""
    audience = connect(product)
    add_people(product, "ann@mailbox.org")
    assert audience.sync().status is RunStatus.succeeded
    updates: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("UPDATE SYNC_RUNS") and "sync_runs.id =" in statement:
            updates.append(statement)  # this run's own row (not the sweep of runs left behind before it)

    event.listen(product.db.engine, "before_cursor_execute", seen)
    try:
        nightly = audience.sync()
    finally:
        event.remove(product.db.engine, "before_cursor_execute", seen)

    assert nightly.status is RunStatus.succeeded, nightly.message
    assert (nightly.requests_write, nightly.created, nightly.updated) == (0, 0, 0)
    assert nightly.requests_read > 0
    assert len(updates) == 3, updates
