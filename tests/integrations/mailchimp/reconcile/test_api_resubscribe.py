"""Reconciliation must not rely on ``timestamp_opt`` moving: an API re-subscribe keeps it (REAL-BEHAVIOUR
row 8, grouparoo/grouparoo plugins/@grouparoo/mailchimp/__tests__/fixtures/export/export-record.js)."""

from __future__ import annotations

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.reconcile.service import reconcile
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect


def _set_status(audience: Audience, email: str, status: str) -> None:
    """Another API client (an admin's tool) changes the member's status."""
    with audience.product.emulator.api_client(audience.api_key) as client:
        path = f"/lists/{audience.audience_id}/members/{subscriber_hash(email)}"
        assert client.patch(path, json={"status": status}).status_code == 200


def test_a_member_re_subscribed_through_the_api_is_seen_although_its_opt_in_time_stays(
    product: Product,
) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org")
    audience.sync()
    # Ann opted in long ago (the emulator's store, white-box: no API sets a past opt-in time).
    held = product.emulator.store.lists[audience.audience_id].members[subscriber_hash("ann@mailbox.org")]
    assert held.timestamp_opt is not None
    held.timestamp_opt = held.timestamp_opt.replace(year=2020)
    _set_status(audience, "ann@mailbox.org", "unsubscribed")
    audience.sync()
    assert audience.ledger()[subscriber_hash("ann@mailbox.org")].status is RemoteStatus.unsubscribed

    _set_status(audience, "ann@mailbox.org", "subscribed")
    result = reconcile(audience.database, product.settings, integration_id=audience.integration_id)

    assert result.failed == 0
    assert held.timestamp_opt.year == 2020
    assert audience.ledger()[subscriber_hash("ann@mailbox.org")].status is RemoteStatus.subscribed
