"""Issue 13 item 1: an unsubscribe that lands while a run is applying wins over the run's plan.

The window is opened by the holding proxy: the run has planned (after its own reconcile read) and one
of its requests is held while the person unsubscribes in Mailchimp and the webhook is applied.
Mailchimp's rule (REAL-BEHAVIOUR.md, "archived members": re-importing an archived contact with
``status_if_new`` makes it subscribed again) is what makes an archive recorded as ours dangerous: the
next sync would bring back someone who unsubscribed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.inbound.events import EventType
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.integrations.mailchimp.sync.types import Intent, RemoteStatus
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.consent.windows import (
    batch_path,
    deliver,
    member_path,
    point_at,
    sync_through,
)
from tests.integrations.mailchimp.sync.sync_helpers import (
    add_people,
    change_primary_email,
    connect,
    update_person,
)
from tests.support.holding_proxy import HoldingProxy

ADA = "ada@mailbox.org"
BOB = "bob@mailbox.org"


@pytest.mark.slow
def test_a_member_unsubscribed_after_planning_is_not_archived_by_the_run(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    audience = connect(product)
    ada, bob = add_people(product, ADA, BOB)
    assert audience.sync().status is RunStatus.succeeded
    proxy = holding_proxy_factory(product.emulator.base_url)
    update_person(product, ada, do_not_email=True)  # the plan: archive Ada
    update_person(product, bob, first_name="Robert")  # and update Bob first (an earlier phase)
    held = proxy.hold("POST", batch_path(audience))

    running = sync_through(audience, proxy, confirm_removals=True)
    held.wait_arrived()
    audience.person_action(ADA, "unsubscribe")
    deliver(audience, EventType.unsubscribe, ADA, reason="manual")
    held.release()
    run = running.finish()

    assert run.status is RunStatus.succeeded, run.message
    assert audience.member(ADA)["status"] == "unsubscribed"  # no DELETE was sent for her
    assert all(subscriber_hash(ADA) not in r.path for r in proxy.writes_since(0.0))
    entry = audience.ledger()[subscriber_hash(ADA)]
    assert (entry.status, entry.archived_by_us) == (RemoteStatus.unsubscribed, False)


@pytest.mark.slow
def test_an_unsubscribe_landing_while_the_archive_is_in_flight_is_never_resubscribed(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    audience = connect(product)
    (ada,) = add_people(product, ADA)
    assert audience.sync().status is RunStatus.succeeded
    proxy = holding_proxy_factory(product.emulator.base_url)
    update_person(product, ada, do_not_email=True)
    held = proxy.hold("DELETE", member_path(audience, ADA))  # sent, Mailchimp has not seen it yet

    running = sync_through(audience, proxy, confirm_removals=True)
    held.wait_arrived()
    audience.person_action(ADA, "unsubscribe")
    deliver(audience, EventType.unsubscribe, ADA, reason="manual")
    held.release()  # Mailchimp archives the unsubscribed member
    assert running.finish().status is RunStatus.succeeded

    entry = audience.ledger()[subscriber_hash(ADA)]
    assert (entry.status, entry.archived_by_us) == (RemoteStatus.unsubscribed, False)
    point_at(audience, product.emulator.api_base)
    update_person(product, ada, do_not_email=False)  # emailable again: still never re-subscribed
    assert audience.sync().status is RunStatus.succeeded
    assert audience.full().status is RunStatus.succeeded
    assert audience.sync().status is RunStatus.succeeded
    assert audience.member(ADA)["status"] != "subscribed"
    assert audience.ledger()[subscriber_hash(ADA)].archived_by_us is False


@pytest.mark.slow
def test_someone_the_run_means_to_create_who_unsubscribes_in_mailchimp_first_is_not_written(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    # The run plans to create Ada (no ledger row). Before her page's intent row is stored, Mailchimp tells
    # us she is there, unsubscribed: the intent row must not be written over hers, nor her page sent.
    audience = connect(product)
    (bob,) = add_people(product, BOB)
    assert audience.sync().status is RunStatus.succeeded
    proxy = holding_proxy_factory(product.emulator.base_url)
    add_people(product, ADA)
    change_primary_email(product, bob, "robert@mailbox.org")  # a rename: sent before any batch page
    held = proxy.hold("PATCH", member_path(audience, BOB))

    running = sync_through(audience, proxy)
    held.wait_arrived()
    with product.emulator.api_client(audience.api_key) as client:
        members = f"/lists/{audience.audience_id}/members"
        assert client.post(members, json={"email_address": ADA, "status": "subscribed"}).status_code == 200
    audience.person_action(ADA, "unsubscribe")
    deliver(audience, EventType.unsubscribe, ADA, reason="manual")
    batches_before = len([r for r in proxy.writes_since(0.0) if r.method == "POST"])
    held.release()
    run = running.finish()

    assert run.status is RunStatus.succeeded, run.message
    assert (run.created, run.email_changes) == (0, 1)
    assert len([r for r in proxy.writes_since(0.0) if r.method == "POST"]) == batches_before, (
        "no page for Ada"
    )
    entry = audience.ledger()[subscriber_hash(ADA)]
    assert (entry.status, entry.intent, entry.archived_by_us) == (
        RemoteStatus.unsubscribed,
        Intent.none,
        False,
    )
    assert audience.member(ADA)["status"] == "unsubscribed"
