"""A person's confirmation of removals belongs to the run, not to its progress: a confirmed run whose
process dies while applying is reaped and queued again still confirmed, so the resumed run finishes the
removals instead of stopping at the removal guard a second time. Both ways a run starts carry it: a
queued request (the page's Force Sync) and an in-process CLI run (`mailchimp sync --confirm-removals`).

The death is opened deterministically: the run's progress hook (called right after its first page is
committed, which is the moment a SIGKILL would leave behind) runs the real reaper at a time when the
heartbeat and the lease have both lapsed, then stops the run with a BaseException.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from constituent.integrations.mailchimp.sync.engine import run_queued, run_sync
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger
from constituent.jobs.dispatch import request_sync
from constituent.jobs.reaper import reap
from constituent.jobs.registry import jobs_for
from constituent.kit.clock import utcnow
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect, update_person
from tests.jobs.conftest import database_of
from tests.jobs.helpers import all_runs


class ProcessDied(BaseException):
    """The worker or CLI process is gone (raised from the progress hook, after the reaper ran)."""


def guarded_audience(product: Product) -> Audience:
    """Ten members synced; now one update (the first page) and two archives (20%: over the guard)."""
    audience = connect(product)
    ids = add_people(product, *(f"p{n}@mailbox.org" for n in range(10)))
    assert audience.sync().status is RunStatus.succeeded
    update_person(product, ids[9], first_name="Renamed")
    for contact_id in ids[:2]:
        update_person(product, contact_id, do_not_email=True)
    return audience


def dies_after_first_page(product: Product) -> object:
    """A progress hook: at the first applied page, the reaper finds the run dead, then the process dies."""
    reaped: list[int] = []

    def hook(phase: str, done: int, total: int) -> None:
        if reaped or not done:
            return
        later = utcnow() + timedelta(hours=1)  # heartbeat and lease have both lapsed by then
        reaped.extend(
            reap(database_of(product), product.settings, later, jobs_for(product.settings)).interrupted
        )
        raise ProcessDied

    return hook


@pytest.mark.slow
@pytest.mark.parametrize("started_by", ["queued request", "cli run"])
def test_a_confirmed_run_that_dies_while_applying_is_queued_again_confirmed_and_finishes(
    product: Product, started_by: str
) -> None:
    audience = guarded_audience(product)
    hook = dies_after_first_page(product)
    with pytest.raises(ProcessDied):
        if started_by == "queued request":
            queued = request_sync(
                database_of(product),
                product.settings,
                audience.integration_id,
                mode=RunMode.incremental,
                trigger=RunTrigger.ui,
                confirm_removals=True,
            )
            run_queued(database_of(product), product.settings, queued.id, progress=hook)  # type: ignore[arg-type]
        else:
            audience.sync(confirm_removals=True, progress=hook)
    dead, again = all_runs(product.db)[-2:]
    assert dead.status is RunStatus.interrupted
    assert again.status is RunStatus.queued

    resumed = run_queued(database_of(product), product.settings, again.id)

    assert resumed.status is RunStatus.succeeded, resumed.message
    assert resumed.archived == 2
    statuses = {email: member["status"] for email, member in audience.members().items()}
    assert statuses["p0@mailbox.org"] == statuses["p1@mailbox.org"] == "archived"


def test_a_cli_run_keeps_its_confirmation_on_the_run(product: Product) -> None:
    audience = guarded_audience(product)

    run = run_sync(database_of(product), product.settings, audience.integration_id, confirm_removals=True)

    assert run.status is RunStatus.succeeded, run.message
    assert run.confirm_removals is True
