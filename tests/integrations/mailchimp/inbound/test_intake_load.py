"""Many deliveries at once share commits but every one is stored; a removed integration's are refused."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.inbound.test_delivery import unsubscribe_fields


async def _deliver_all(live: Live, count: int) -> list[int]:
    async with httpx.AsyncClient(timeout=30) as client:
        answers = await asyncio.gather(
            *(client.post(live.url, data=unsubscribe_fields(live, f"p{n}@mailbox.org")) for n in range(count))
        )
    return [a.status_code for a in answers]


@pytest.mark.slow
def test_two_hundred_simultaneous_deliveries_are_all_stored(live: Live) -> None:
    statuses = asyncio.run(_deliver_all(live, 200))
    assert statuses == [200] * 200
    hashes = {event.subscriber_hash for event in live.inbox()}
    assert len(hashes) == 200, "one row per delivery, none lost or doubled"


def test_deliveries_for_a_removed_integration_get_404_even_while_its_secret_is_cached(live: Live) -> None:
    assert live.post(unsubscribe_fields(live, "q@mailbox.org")).status_code == 200  # the secret is cached now
    with session_scope(live.product.db.sessions) as session:
        integration = session.get(MailchimpIntegration, live.integration_id)
        session.delete(integration)
    assert live.post(unsubscribe_fields(live, "r@mailbox.org")).status_code == 404
    assert live.inbox() == [], "the removed integration's inbox went with it, and nothing new came in"
