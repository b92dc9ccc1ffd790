"""The engine runs a queued run row (the worker's entry) and a CLI run answers a queued request: one run,
never two, for one integration."""

from __future__ import annotations

from constituent.integrations.mailchimp.sync.engine import run_queued
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger
from constituent.jobs.dispatch import request_sync
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect
from tests.jobs.conftest import database_of
from tests.jobs.helpers import all_runs


def test_a_queued_run_is_taken_over_and_run_to_its_end(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org", "bob@mailbox.org")
    queued = request_sync(
        database_of(product),
        product.settings,
        audience.integration_id,
        mode=RunMode.full,
        trigger=RunTrigger.api,
    )

    run = run_queued(database_of(product), product.settings, queued.id)

    assert (run.id, run.status, run.mode, run.trigger) == (
        queued.id,
        RunStatus.succeeded,
        "full",
        "first_sync",  # the integration's first run, whoever asked for it
    )
    assert run.started_at is not None and run.started_at >= run.created_at
    assert set(audience.members()) == {"ada@mailbox.org", "bob@mailbox.org"}


def test_a_run_no_longer_queued_is_not_run_again(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")
    queued = request_sync(
        database_of(product),
        product.settings,
        audience.integration_id,
        mode=RunMode.incremental,
        trigger=RunTrigger.ui,
    )
    run_queued(database_of(product), product.settings, queued.id)
    writes = audience.emulator_writes()

    again = run_queued(database_of(product), product.settings, queued.id)  # a duplicate message

    assert again.status is RunStatus.succeeded and audience.emulator_writes() == writes
    assert len(all_runs(product.db)) == 1


def test_a_cli_sync_answers_the_queued_request_in_the_stronger_mode(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")
    queued = request_sync(
        database_of(product),
        product.settings,
        audience.integration_id,
        mode=RunMode.full,
        trigger=RunTrigger.ui,
    )

    cli_run = audience.sync()  # `constituent mailchimp sync`: in-process, incremental
    worker_run = run_queued(database_of(product), product.settings, queued.id)

    assert cli_run.id == queued.id == worker_run.id
    assert (cli_run.status, cli_run.mode) == (RunStatus.succeeded, RunMode.full)
    assert len(all_runs(product.db)) == 1
    assert set(audience.members()) == {"ada@mailbox.org"}
