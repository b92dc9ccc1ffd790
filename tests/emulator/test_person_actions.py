"""A person's own actions (control API) change the member as Mailchimp would and fire "user" events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from mailchimp_emulator.hashing import subscriber_hash
from mailchimp_emulator.state import Webhook, WebhookEvent
from tests.support.emulator import McAccount, RunningEmulator, account_on

ALL_EVENTS = {
    name: True for name in ("subscribe", "unsubscribe", "profile", "cleaned", "upemail", "campaign")
}
ALL_SOURCES = {"user": True, "admin": True, "api": True}


@pytest.fixture
def watched(emulator_factory: Callable[..., RunningEmulator]) -> tuple[McAccount, str, list[WebhookEvent]]:
    """An account with one list that has a webhook, and every event the emulator emits for it."""
    running = emulator_factory()
    account = account_on(running)
    list_id = str(account.new_list()["id"])
    seen: list[WebhookEvent] = []
    running.store.lists[list_id].webhooks["w1"] = Webhook(
        "w1", list_id, "http://127.0.0.1:9/hook", ALL_EVENTS, ALL_SOURCES, True, datetime.now(UTC)
    )
    running.store.event_sink = seen.append
    return account, list_id, seen


def test_signing_up_fires_subscribe_with_nested_merge_fields(
    watched: tuple[McAccount, str, list[WebhookEvent]],
) -> None:
    account, list_id, seen = watched
    address = {"addr1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701"}
    member = account.emulator.control(
        "POST",
        f"lists/{list_id}/signup",
        {"email_address": "ada@mailbox.org", "merge_fields": {"FNAME": "Ada", "ADDRESS": address}},
    )
    event = seen[-1]
    assert (event.type, event.source) == ("subscribe", "user")
    assert event.data["data[email]"] == "ada@mailbox.org"
    assert event.data["data[merges][FNAME]"] == "Ada"
    assert event.data["data[merges][ADDRESS][city]"] == "Springfield"
    unique_id = account.client.get(f"/lists/{list_id}/members/ada@mailbox.org").json()["unique_email_id"]
    assert event.data["data[id]"] == unique_id
    assert member["status"] == "subscribed"


def test_an_unsubscribe_link_fires_unsubscribe_and_blocks_resubscribing(
    watched: tuple[McAccount, str, list[WebhookEvent]],
) -> None:
    account, list_id, seen = watched
    account.client.post(
        f"/lists/{list_id}/members", json={"email_address": "ada@mailbox.org", "status": "subscribed"}
    )
    member_hash = subscriber_hash("ada@mailbox.org")
    account.emulator.control(
        "POST", f"lists/{list_id}/members/{member_hash}/unsubscribe", {"reason": "abuse", "campaign_id": "c1"}
    )
    event = seen[-1]
    assert (event.type, event.source) == ("unsubscribe", "user")
    assert (event.data["data[action]"], event.data["data[reason]"], event.data["data[campaign_id]"]) == (
        "unsub",
        "abuse",
        "c1",
    )
    assert len(event.data["data[id]"]) == 10
    assert event.fired_at.tzinfo is not None
    export = account.emulator.control("GET", f"lists/{list_id}/export")["members"][0]
    assert export["compliance"] is True


def test_a_bounce_fires_cleaned_with_a_hard_reason(
    watched: tuple[McAccount, str, list[WebhookEvent]],
) -> None:
    account, list_id, seen = watched
    account.client.post(
        f"/lists/{list_id}/members", json={"email_address": "ada@mailbox.org", "status": "subscribed"}
    )
    account.emulator.control(
        "POST", f"lists/{list_id}/members/{subscriber_hash('ada@mailbox.org')}/bounce", {}
    )
    assert (seen[-1].type, seen[-1].data["data[reason]"]) == ("cleaned", "hard")
    assert account.client.get(f"/lists/{list_id}/members/ada@mailbox.org").json()["status"] == "cleaned"


def test_changing_email_fires_upemail_with_old_and_new_addresses(
    watched: tuple[McAccount, str, list[WebhookEvent]],
) -> None:
    account, list_id, seen = watched
    account.client.post(
        f"/lists/{list_id}/members", json={"email_address": "ada@mailbox.org", "status": "subscribed"}
    )
    account.emulator.control(
        "POST",
        f"lists/{list_id}/members/{subscriber_hash('ada@mailbox.org')}/change-email",
        {"new_email": "ada@new.org"},
    )
    event = seen[-1]
    assert event.type == "upemail"
    assert (event.data["data[old_email]"], event.data["data[new_email]"]) == (
        "ada@mailbox.org",
        "ada@new.org",
    )


def test_a_profile_update_fires_profile(watched: tuple[McAccount, str, list[WebhookEvent]]) -> None:
    account, list_id, seen = watched
    account.client.post(
        f"/lists/{list_id}/members", json={"email_address": "ada@mailbox.org", "status": "subscribed"}
    )
    account.emulator.control(
        "POST",
        f"lists/{list_id}/members/{subscriber_hash('ada@mailbox.org')}/update-profile",
        {"merge_fields": {"LNAME": "L"}},
    )
    assert (seen[-1].type, seen[-1].source, seen[-1].data["data[merges][LNAME]"]) == ("profile", "user", "L")


def test_api_changes_fire_events_with_source_api(watched: tuple[McAccount, str, list[WebhookEvent]]) -> None:
    account, list_id, seen = watched
    account.client.post(
        f"/lists/{list_id}/members", json={"email_address": "ada@mailbox.org", "status": "subscribed"}
    )
    account.client.patch(f"/lists/{list_id}/members/ada@mailbox.org", json={"status": "unsubscribed"})
    assert [(e.type, e.source) for e in seen] == [("subscribe", "api"), ("unsubscribe", "api")]
