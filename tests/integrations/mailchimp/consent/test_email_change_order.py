"""Issue 13 item 4: two address changes (a→b, b→c) whose webhooks arrive in reverse order end on c.

Mailchimp does not promise delivery order (REAL-BEHAVIOUR.md, webhooks: retries "over 75 minutes", each
delivery with its own ``fired_at``); the member really moved twice in the emulator, then the two
upemail events are applied newest first. Before the fix the contact stayed on b while Mailchimp held c,
and the next full resync marked b "forgotten".
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.inbound.events import EventType, InboundEvent
from constituent.integrations.mailchimp.inbound.processor import apply_event
from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect

A, B, C = "ann@mailbox.org", "ann@work.mailbox.org", "ann@home.mailbox.org"


def _upemail(audience: Audience, old: str, new: str, minutes_ago: int) -> str:
    event = InboundEvent(
        type=EventType.upemail,
        fired_at=utcnow() - timedelta(minutes=minutes_ago),
        list_id=audience.audience_id,
        email=old,
        new_email=new,
    )
    with session_scope(audience.product.db.sessions) as session:
        return apply_event(session, get_integration(session, audience.integration_id), event)


def _addresses(product: Product, contact_id: int) -> list[str]:
    with product.db.sessions() as session:
        return [e.address for e in contacts.get_contact(session, contact_id).emails]


def _moved_twice_in_mailchimp(product: Product) -> tuple[Audience, int]:
    """Ann synced at A, then moved A→B→C in Mailchimp (the webhooks not applied yet)."""
    audience = connect(product)
    (ann,) = add_people(product, A)
    assert audience.sync().status is RunStatus.succeeded
    audience.person_action(A, "change-email", new_email=B)
    audience.person_action(B, "change-email", new_email=C)
    return audience, ann


def test_two_address_changes_delivered_newest_first_end_on_the_last_address(product: Product) -> None:
    audience, ann = _moved_twice_in_mailchimp(product)

    _upemail(audience, B, C, minutes_ago=1)  # fired second, delivered first
    _upemail(audience, A, B, minutes_ago=2)

    assert _addresses(product, ann) == [C]
    ledger = audience.ledger()
    assert set(ledger) == {subscriber_hash(C)} and ledger[subscriber_hash(C)].contact_id == ann
    assert audience.full().status is RunStatus.succeeded
    ledger = audience.ledger()
    assert RemoteStatus.forgotten not in {entry.status for entry in ledger.values()}
    assert ledger[subscriber_hash(C)].status is RemoteStatus.subscribed
    assert {e: m["status"] for e, m in audience.members().items()} == {C: "subscribed"}


@pytest.mark.slow
def test_address_changes_delivered_in_order_still_end_on_the_last_address(product: Product) -> None:
    audience, ann = _moved_twice_in_mailchimp(product)

    _upemail(audience, A, B, minutes_ago=2)
    _upemail(audience, B, C, minutes_ago=1)

    assert _addresses(product, ann) == [C]
    assert set(audience.ledger()) == {subscriber_hash(C)}
