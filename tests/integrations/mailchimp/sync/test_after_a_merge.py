"""Issue 15: Mailchimp after two contacts are merged: one member for the survivor's primary address;
the other address's member archived if we had subscribed it, left alone if it had unsubscribed; the
survivor's panel says so, and nothing re-subscribes anyone.

Mailchimp's rules relied on (REAL-BEHAVIOUR.md, "status"): an API write never changes an unsubscribed
member's status, and archiving is a DELETE of the member (it can be added again later)."""

from __future__ import annotations

import pytest

from constituent.crm.merges.schemas import MergeRequest
from constituent.crm.merges.service import merge_contacts
from constituent.integrations.mailchimp.sync.contact_status import mailchimp_status_for_contact
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect


def _merge(product: Product, keep: int, other: int) -> None:
    with session_scope(product.db.sessions) as session:
        merge_contacts(session, keep, MergeRequest(other_id=other), "user:test")


@pytest.mark.slow
def test_the_merged_contacts_subscribed_member_is_archived_and_the_survivor_stays(product: Product) -> None:
    audience = connect(product)
    kyle, dup = add_people(product, "kyle@mailbox.org", "k.silva@mailbox.org")
    audience.sync()

    _merge(product, kyle, dup)
    run = audience.sync(confirm_removals=True)

    assert run.status is RunStatus.succeeded, run.message
    members = audience.members()
    assert members["kyle@mailbox.org"]["status"] == "subscribed"
    assert members["k.silva@mailbox.org"]["status"] == "archived"


def test_an_unsubscribed_address_stays_unsubscribed_and_the_survivors_panel_says_so(product: Product) -> None:
    audience = connect(product)
    kyle, dup = add_people(product, "kyle@mailbox.org", "k.silva@mailbox.org")
    audience.sync()
    audience.person_action("k.silva@mailbox.org", "unsubscribe")

    _merge(product, kyle, dup)
    run = audience.sync(confirm_removals=True)
    full = audience.full(confirm_removals=True)

    assert (run.status, full.status) == (RunStatus.succeeded, RunStatus.succeeded)
    members = audience.members()
    assert members["kyle@mailbox.org"]["status"] == "subscribed"
    assert members["k.silva@mailbox.org"]["status"] == "unsubscribed"
    with product.db.sessions() as session:
        (panel,) = mailchimp_status_for_contact(session, kyle)
    assert (panel.email, panel.status) == ("kyle@mailbox.org", "subscribed")
    assert panel.unsubscribed_elsewhere == ["k.silva@mailbox.org"]
