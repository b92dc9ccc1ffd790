"""The sync's lease lasts CONSTITUENT_SYNC_LEASE_SECONDS whoever starts it (issue 13, item 11): the CLI
called the engine without a lease length, so it always took the 60-second default. The engine now reads
the setting itself; this test calls it exactly as the CLI does (settings, no lease length)."""

from __future__ import annotations

from datetime import datetime

from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.kit.clock import utcnow
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect


def test_a_sync_started_like_the_cli_holds_its_lease_for_the_configured_seconds(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org", "bo@mailbox.org")
    settings = product.settings.model_copy(update={"sync_lease_seconds": 3600.0})
    seen: list[tuple[datetime, datetime | None]] = []

    def progress(_phase: str, _done: int, _total: int) -> None:
        with product.db.sessions() as session:
            integration = session.get(MailchimpIntegration, audience.integration_id)
            assert integration is not None
            seen.append((utcnow(), integration.lease_expires_at))

    run = run_sync(audience.database, settings, audience.integration_id, progress=progress)

    assert run.status is RunStatus.succeeded, run.message
    assert seen, "the run reported progress while it held the lease"
    for moment, expires in seen:
        assert expires is not None
        assert 3000 < (expires - moment).total_seconds() <= 3600
