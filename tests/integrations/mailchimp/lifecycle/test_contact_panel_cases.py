"""The contact's Mailchimp panel in the three cases users saw blank or wrong (issue 14), through real syncs
against the emulator over HTTP, on both databases: what ``mailchimp_status_for_contact`` says is what the
panel shows (tests/web/pages/test_contact_mailchimp_panel.py renders it)."""

from __future__ import annotations

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.reconcile.service import reconcile
from constituent.integrations.mailchimp.sync.contact_status import (
    MailchimpStatus,
    mailchimp_status_for_contact,
)
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import (
    Audience,
    add_people,
    change_primary_email,
    connect,
    contact,
)


def panel(product: Product, contact_id: int) -> MailchimpStatus:
    with product.db.sessions() as session:
        [status] = mailchimp_status_for_contact(session, contact_id)
    return status


def api_post(audience: Audience, path: str, body: dict[str, object] | None = None) -> int:
    with audience.product.emulator.api_client(audience.api_key) as client:
        return client.post(f"/lists/{audience.audience_id}{path}", json=body).status_code


def test_a_new_member_mailchimp_refused_shows_mailchimps_reason(product: Product) -> None:
    audience = connect(product)
    [ann] = add_people(product, "ann@gmail.vom")  # the emulator's "looks fake" rule (REAL-BEHAVIOUR row 4)

    audience.sync()

    status = panel(product, ann)
    assert status.email == "ann@gmail.vom"
    assert "looks fake or invalid" in status.problem


def test_a_new_address_mailchimp_holds_unsubscribed_says_so(product: Product) -> None:
    audience = connect(product)
    [ada] = add_people(product, "ada@mailbox.org")
    audience.sync()
    held = "ada@work.co.uk"
    assert api_post(audience, "/members", {"email_address": held, "status": "unsubscribed"}) == 200

    change_primary_email(product, ada, held)
    audience.sync()

    status = panel(product, ada)
    assert (status.email, status.status) == (held, "unsubscribed")
    assert "is already in this list with a status of" in status.problem


def test_an_address_changed_in_mailchimp_whose_webhook_was_lost_follows_the_member_not_permanently_deleted(
    product: Product,
) -> None:
    """Mailchimp keeps a person's ``contact_id`` through an address change (REAL-BEHAVIOUR row 7, recorded
    in grouparoo's export-record.js); the ledger learnt it when the member was created."""
    audience = connect(product)
    [bea] = add_people(product, "bea@mailbox.org")
    audience.sync()
    audience.person_action("bea@mailbox.org", "change-email", new_email="bea@new.org")

    result = reconcile(audience.database, product.settings, integration_id=audience.integration_id)
    run = audience.full()

    assert (result.events_applied, result.failed) == (1, 0)
    status = panel(product, bea)
    assert (status.email, status.status, status.problem) == ("bea@new.org", "subscribed", "")
    with product.db.sessions() as session:
        assert contact(session, bea).primary_email.address == "bea@new.org"
    ledger = audience.ledger()
    assert subscriber_hash("bea@mailbox.org") not in ledger
    assert ledger[subscriber_hash("bea@new.org")].contact_id == bea
    assert run.requests_write == 0  # the Resync after it finds everything in step
