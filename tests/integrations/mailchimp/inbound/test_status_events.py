"""Unsubscribe, bounce and signup, fired by the emulator as real webhooks into our running server."""

from __future__ import annotations

import pytest

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.models import EmailStatus
from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.integrations.mailchimp.group_refusals import refusals_for_group
from constituent.integrations.mailchimp.inbound.models import InboxStatus
from constituent.integrations.mailchimp.sync.contact_status import mailchimp_status_for_contact
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.inbound.helpers import (
    activity_subjects,
    contact,
    contacts_with_email,
    joined,
    ledger_row,
    memberships,
)
from tests.integrations.mailchimp.sync.sync_helpers import add_people

UNSUBSCRIBED = "Unsubscribed from Mailchimp audience Supporters"


@pytest.mark.slow
def test_an_unsubscribe_moves_the_contact_to_a_past_group_removed_by_api(live_groups: Live) -> None:
    live = live_groups
    [ann] = joined(live, "ann@mailbox.org")
    live.audience.sync()
    live.person("ann@mailbox.org", "unsubscribe", reason="manual")
    live.settle(1)
    assert [row.status for row in live.inbox()] == [InboxStatus.received], "kept until processed"

    assert live.process() == 1
    groups_now = memberships(live, ann)
    assert groups_now.current == []
    [past] = groups_now.past
    assert (past.group_name, past.label) == ("Members", "Removed (by API)")
    assert past.removed_at is not None and past.added_at <= past.removed_at
    assert contact(live, ann).do_not_email is False, "leaving one audience is not do-not-email"
    assert UNSUBSCRIBED in activity_subjects(live, ann)
    row = ledger_row(live, "ann@mailbox.org")
    assert row is not None and row.status is RemoteStatus.unsubscribed
    assert [e.status for e in live.inbox()] == [InboxStatus.processed]


@pytest.mark.slow
def test_a_later_sync_never_re_adds_and_rejoining_shows_mailchimps_refusal(live_groups: Live) -> None:
    live = live_groups
    [ann] = joined(live, "ann@mailbox.org")
    live.audience.sync()
    live.person("ann@mailbox.org", "unsubscribe", reason="manual")
    live.settle(1)
    live.process()

    with session_scope(live.product.db.sessions) as session:
        [past] = groups.contact_groups(session, ann).past
        groups.rejoin_group(session, past.membership_id, method=MembershipMethod.user, actor="test")
        [refusal] = refusals_for_group(session, past.group_id, [ann])
    assert "Unsubscribed from Supporters" in refusal.message
    writes = live.audience.emulator_writes()
    live.audience.sync()
    assert live.audience.member("ann@mailbox.org")["status"] == "unsubscribed"
    assert live.audience.emulator_writes() == writes, "the sync wrote nothing for her"


@pytest.mark.slow
def test_in_all_individuals_mode_the_contact_shows_unsubscribed_from_the_audience(live: Live) -> None:
    [bob] = add_people(live.product, "bob@mailbox.org")
    live.audience.sync()
    live.person("bob@mailbox.org", "unsubscribe", reason="manual")
    live.settle(1)
    live.process()

    with live.product.db.sessions() as session:
        [status] = mailchimp_status_for_contact(session, bob)
    assert (status.status, status.problem) == ("unsubscribed", "Unsubscribed from Supporters")
    with live.api() as api:
        shown = api.get(f"/contacts/{bob}").json()
    assert shown["mailchimp"][0]["problem"] == "Unsubscribed from Supporters"
    assert UNSUBSCRIBED in [a["subject"] for a in shown["activities"]]
    assert shown["do_not_email"] is False


@pytest.mark.slow
def test_a_hard_bounce_marks_the_email_bounced_and_the_member_cleaned(live: Live) -> None:
    [cat] = add_people(live.product, "cat@mailbox.org")
    live.audience.sync()
    live.person("cat@mailbox.org", "bounce")
    live.settle(1)
    live.process()

    assert [e.status for e in contact(live, cat).emails] == [EmailStatus.bounced]
    row = ledger_row(live, "cat@mailbox.org")
    assert row is not None and row.status is RemoteStatus.cleaned
    assert any(s.startswith("Email bounced") for s in activity_subjects(live, cat))


def test_a_spam_complaint_cleaning_is_an_activity_and_leaves_the_email_alone(live: Live) -> None:
    [dan] = add_people(live.product, "dan@mailbox.org")
    live.audience.sync()
    fields = {
        "type": "cleaned",
        "fired_at": "2030-01-01 10:00:00",
        "data[list_id]": live.audience.audience_id,
        "data[campaign_id]": "",
        "data[reason]": "abuse",
        "data[email]": "dan@mailbox.org",
    }
    assert live.post(fields).status_code == 200
    live.process()

    assert [e.status for e in contact(live, dan).emails] == [EmailStatus.ok]
    assert "Spam complaint: cleaned from Mailchimp audience Supporters" in activity_subjects(live, dan)
    row = ledger_row(live, "dan@mailbox.org")
    assert row is not None and row.status is RemoteStatus.cleaned


@pytest.mark.slow
def test_a_signup_of_someone_new_creates_an_individual_in_the_membership_group(live_groups: Live) -> None:
    live = live_groups
    body = {"email_address": "eve@mailbox.org", "merge_fields": {"FNAME": "Eve", "LNAME": "Adams"}}
    live.product.emulator.control("POST", f"lists/{live.audience.audience_id}/signup", body)
    live.settle(1)
    live.process()

    [eve] = contacts_with_email(live, "eve@mailbox.org")
    assert (eve.first_name, eve.last_name, eve.source) == ("Eve", "Adams", "Mailchimp signup")
    [membership] = memberships(live, eve.id).current
    assert (membership.group_name, membership.label) == ("Members", "Added (by API)")
    row = ledger_row(live, "eve@mailbox.org")
    assert row is not None and (row.status, row.contact_id) == (RemoteStatus.subscribed, None)
    live.audience.sync()
    assert live.audience.member("eve@mailbox.org")["status"] == "subscribed"
    row = ledger_row(live, "eve@mailbox.org")
    assert row is not None and row.contact_id == eve.id, "the sync that wants her records whose she is"
    writes = live.audience.emulator_writes()
    live.audience.sync()
    assert live.audience.emulator_writes() == writes, "in step: nothing more to write"


def test_a_signup_of_a_known_address_matches_the_contact(live: Live) -> None:
    [fay] = add_people(live.product, "fay@mailbox.org")
    body = {"email_address": "FAY@mailbox.org", "merge_fields": {"FNAME": "Fay"}}
    live.product.emulator.control("POST", f"lists/{live.audience.audience_id}/signup", body)
    live.settle(1)
    live.process()

    assert [c.id for c in contacts_with_email(live, "fay@mailbox.org")] == [fay]
    assert "Signed up to Mailchimp audience Supporters" in activity_subjects(live, fay)


@pytest.mark.slow
def test_a_member_deleted_in_mailchimp_is_left_archived_and_keeps_its_groups(live_groups: Live) -> None:
    live = live_groups
    [ona] = joined(live, "ona@mailbox.org")
    live.audience.sync()
    # Someone deletes her in Mailchimp's UI: archived there, and an admin-sourced unsubscribe with
    # action "delete" (the emulator only fires the api-sourced one, which our webhook does not ask for).
    with live.product.emulator.api_client(live.audience.api_key) as api:
        path = f"/lists/{live.audience.audience_id}/members/{subscriber_hash('ona@mailbox.org')}"
        assert api.delete(path).status_code == 204
    fields = {
        "type": "unsubscribe",
        "fired_at": "2030-01-01 10:00:00",
        "data[action]": "delete",
        "data[reason]": "manual",
        "data[list_id]": live.audience.audience_id,
        "data[email]": "ona@mailbox.org",
    }
    assert live.post(fields).status_code == 200
    live.process()

    row = ledger_row(live, "ona@mailbox.org")
    assert row is not None and (row.status, row.archived_by_us) == (RemoteStatus.archived, False)
    assert [m.group_name for m in memberships(live, ona).current] == ["Members"]
    assert "Deleted from Mailchimp audience Supporters (in Mailchimp)" in activity_subjects(live, ona)
    writes = live.audience.emulator_writes()
    live.audience.sync()
    assert live.audience.member("ona@mailbox.org")["status"] == "archived"
    assert live.audience.emulator_writes() == writes, "left archived"


@pytest.mark.slow
def test_a_signup_of_a_do_not_email_contact_is_never_archived_by_a_sync(live: Live) -> None:
    [quin] = add_people(live.product, "quin@mailbox.org", do_not_email=True)
    body = {"email_address": "quin@mailbox.org", "merge_fields": {"FNAME": "Quin"}}
    live.product.emulator.control("POST", f"lists/{live.audience.audience_id}/signup", body)
    live.settle(1)
    live.process()

    live.audience.sync()
    assert live.audience.member("quin@mailbox.org")["status"] == "subscribed", "their own choice stands"
    assert "Signed up to Mailchimp audience Supporters" in activity_subjects(live, quin)
