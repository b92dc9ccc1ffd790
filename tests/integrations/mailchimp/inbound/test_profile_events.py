"""Changed addresses, profile edits and campaign sends, fired by the emulator as real webhooks."""

from __future__ import annotations

import pytest

from constituent.integrations.mailchimp.inbound.models import InboxStatus
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.inbound.helpers import activity_subjects, changes, contact, ledger_row
from tests.integrations.mailchimp.sync.sync_helpers import add_people


@pytest.mark.slow
def test_a_changed_address_changes_the_contacts_email_and_rekeys_the_ledger(live: Live) -> None:
    [gus] = add_people(live.product, "gus@mailbox.org")
    live.audience.sync()
    live.person("gus@mailbox.org", "change-email", new_email="gus@new.mailbox.org")
    live.settle(1)
    live.process()

    assert [e.address for e in contact(live, gus).emails] == ["gus@new.mailbox.org"]
    assert ("Mailchimp", "address", "gus@mailbox.org", "gus@new.mailbox.org") in changes(live, gus)
    assert ledger_row(live, "gus@mailbox.org") is None
    row = ledger_row(live, "gus@new.mailbox.org")
    assert row is not None and row.contact_id == gus
    live.audience.sync()
    assert list(live.audience.members()) == ["gus@new.mailbox.org"], "one member, at the new address"
    assert live.audience.latest_run().counters()["email_changes"] == 0


def test_a_profile_change_is_noted_but_not_applied_by_default(live: Live) -> None:
    [hal] = add_people(live.product, "hal@mailbox.org")
    live.audience.sync()
    live.person("hal@mailbox.org", "update-profile", merge_fields={"FNAME": "Harold"})
    live.settle(1)
    live.process()

    assert contact(live, hal).first_name == "Hal"
    assert (
        "Changed their profile in Mailchimp: first name 'Hal' → 'Harold' (not applied)"
        in activity_subjects(live, hal)
    )
    live.audience.sync()
    assert live.audience.member("hal@mailbox.org")["merge_fields"]["FNAME"] == "Hal", "the database wins"


@pytest.mark.slow
def test_a_profile_change_is_applied_when_the_integration_accepts_them(live: Live) -> None:
    [ivy] = add_people(live.product, "ivy@mailbox.org")
    live.update_integration(accept_profile_changes=True)
    live.audience.sync()
    live.person("ivy@mailbox.org", "update-profile", merge_fields={"FNAME": "Ivonne", "LNAME": "Ray"})
    live.settle(1)
    live.process()

    assert (contact(live, ivy).first_name, contact(live, ivy).last_name) == ("Ivonne", "Ray")
    assert ("Mailchimp", "first_name", "Ivy", "Ivonne") in changes(live, ivy)


def test_a_sent_campaign_schedules_its_tracking(live: Live) -> None:
    add_people(live.product, "jo@mailbox.org")
    live.audience.sync()
    live.product.emulator.control(
        "POST", f"lists/{live.audience.audience_id}/send-campaign", {"subject": "Spring news"}
    )
    live.settle(1)
    live.process()

    [event] = live.inbox()
    assert (event.event_type, event.status, event.outcome) == (
        "campaign",
        InboxStatus.processed,
        "campaign tracking scheduled",
    )
