""" "Ask Mailchimp to re-confirm": only on request, only for a held contact, and it sets pending."""

from __future__ import annotations

import pytest

from constituent.integrations.mailchimp.sync.contact_status import mailchimp_status_for_contact
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from tests.integrations.mailchimp.inbound.conftest import Live, LiveFactory
from tests.integrations.mailchimp.inbound.helpers import ledger_row
from tests.integrations.mailchimp.sync.sync_helpers import add_people


def unsubscribed(live: Live, email: str) -> int:
    [contact_id] = add_people(live.product, email)
    live.audience.sync()
    live.person(email, "unsubscribe", reason="manual")
    live.settle(1)
    live.process()
    return contact_id


@pytest.mark.slow
def test_reconfirming_an_unsubscribed_contact_sets_pending_and_mailchimp_emails_them(live: Live) -> None:
    lea = unsubscribed(live, "lea@mailbox.org")
    assert live.audience.member("lea@mailbox.org")["compliance"] is True

    with live.api() as api:
        response = api.post(f"/contacts/{lea}/mailchimp/{live.integration_id}/reconfirm")
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["email"]) == ("pending", "lea@mailbox.org")
    member = live.audience.member("lea@mailbox.org")
    assert (member["status"], member["confirmations_sent"]) == ("pending", 1)
    row = ledger_row(live, "lea@mailbox.org")
    assert row is not None and (row.status, row.refused) == (RemoteStatus.pending, "")

    live.person("lea@mailbox.org", "confirm")  # she clicks the link
    live.settle(2)
    live.process()
    row = ledger_row(live, "lea@mailbox.org")
    assert row is not None and row.status is RemoteStatus.subscribed


@pytest.mark.slow
def test_a_contact_not_held_is_refused_with_409_and_mailchimp_is_not_asked(live: Live) -> None:
    [max_] = add_people(live.product, "max@mailbox.org")
    live.audience.sync()
    writes = live.audience.emulator_writes()
    with live.api() as api:
        response = api.post(f"/contacts/{max_}/mailchimp/{live.integration_id}/reconfirm")
        unknown = api.post(f"/contacts/{max_}/mailchimp/999/reconfirm")
    assert response.status_code == 409
    assert "nothing to re-confirm" in response.json()["detail"]
    assert unknown.status_code == 404
    assert live.audience.emulator_writes() == writes
    assert live.audience.member("max@mailbox.org")["confirmations_sent"] == 0


@pytest.mark.slow
def test_the_cli_reconfirms_a_contact(live: Live) -> None:
    ned = unsubscribed(live, "ned@mailbox.org")
    result = live.product.cli_json("mailchimp", "reconfirm", str(ned))
    assert result["status"] == "pending"
    assert live.audience.member("ned@mailbox.org")["status"] == "pending"

    again = live.product.cli("mailchimp", "reconfirm", str(ned))
    assert again.returncode != 0
    assert "nothing to re-confirm" in again.stderr


@pytest.mark.slow
def test_with_several_integrations_the_cli_asks_which_one(live_factory: LiveFactory) -> None:
    first = live_factory()
    second = live_factory()
    pat = unsubscribed(second, "pat@mailbox.org")

    unclear = first.product.cli("mailchimp", "reconfirm", str(pat))
    assert unclear.returncode == 2
    assert "choose one with --integration ID" in unclear.stderr
    chosen = first.product.cli_json(
        "mailchimp", "reconfirm", str(pat), "--integration", str(second.integration_id)
    )
    assert (chosen["integration_id"], chosen["status"]) == (second.integration_id, "pending")


@pytest.mark.slow
def test_someone_who_reported_a_campaign_as_spam_is_never_offered_or_sent_a_reconfirmation(
    live: Live,
) -> None:
    [sam] = add_people(live.product, "sam@mailbox.org")
    live.audience.sync()
    live.person("sam@mailbox.org", "unsubscribe", reason="abuse")
    live.settle(1)
    live.process()
    writes = live.audience.emulator_writes()

    with live.product.db.sessions() as session:
        [panel] = mailchimp_status_for_contact(session, sam)
    with live.api() as api:
        response = api.post(f"/contacts/{sam}/mailchimp/{live.integration_id}/reconfirm")
    cli = live.product.cli("mailchimp", "reconfirm", str(sam))

    assert (panel.status, panel.can_reconfirm) == ("unsubscribed", False)
    assert panel.problem.startswith("Reported a campaign as spam")
    assert response.status_code == 409
    assert "as spam; they are never asked to re-confirm" in response.json()["detail"]
    assert cli.returncode != 0 and "as spam" in cli.stderr
    assert live.audience.emulator_writes() == writes
    assert live.audience.member("sam@mailbox.org")["confirmations_sent"] == 0
