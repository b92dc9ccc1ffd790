"""Issue 14: `constituent mailchimp sync --integration ID` on an integration never synced is the admin
starting its first sync: the run is a "first_sync"; the next one is an ordinary CLI run."""

from __future__ import annotations

import pytest

from constituent.integrations.mailchimp.sync.models import RunStatus, RunTrigger
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect


@pytest.mark.slow
def test_the_cli_sync_of_a_never_synced_integration_is_its_first_sync(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")
    command = ("mailchimp", "sync", "--integration", str(audience.integration_id))

    first = product.cli(*command)
    first_run = audience.latest_run()
    again = product.cli(*command)

    assert first.returncode == 0, first.stderr
    assert f"run {first_run.id} (first sync): succeeded" in first.stdout
    assert (first_run.trigger, first_run.created) == (RunTrigger.first_sync, 1)
    assert "(incremental): succeeded" in again.stdout
    assert (audience.latest_run().trigger, audience.latest_run().status) == (
        RunTrigger.cli,
        RunStatus.succeeded,
    )
    assert set(audience.members()) == {"ada@mailbox.org"}
