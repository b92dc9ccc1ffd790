"""Webhooks: configuration over /3.0 with the validator GET, and deliveries as Mailchimp makes them."""

from __future__ import annotations

import itertools
import re
import socket
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from mailchimp_emulator.config import EmulatorConfig
from tests.support.emulator import McAccount, RunningEmulator, account_on, start_emulator
from tests.support.webhook_receiver import WebhookReceiver, wait_until

# Short enough for a quick test, long enough to see the delays grow.
RETRY_DELAYS = (0.1, 0.3)
FAST = EmulatorConfig(webhook_retry_delays=RETRY_DELAYS, webhook_timeout_seconds=0.5)
ALL_EVENTS = dict.fromkeys(("subscribe", "unsubscribe", "profile", "cleaned", "upemail", "campaign"), True)
ALL_SOURCES = {"user": True, "admin": True, "api": True}


@pytest.fixture(scope="module")
def fast_emulator() -> Iterator[RunningEmulator]:
    running = start_emulator(FAST)
    yield running
    running.stop()


@pytest.fixture
def account(fast_emulator: RunningEmulator) -> Iterator[McAccount]:
    created = account_on(fast_emulator)
    yield created
    created.client.close()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


def add_webhook(account: McAccount, list_id: str, url: str, **overrides: Any) -> dict[str, Any]:
    body = {"url": url, "events": ALL_EVENTS, "sources": ALL_SOURCES, **overrides}
    response = account.client.post(f"/lists/{list_id}/webhooks", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def subscribe(account: McAccount, list_id: str, email: str, **merge_fields: Any) -> None:
    body = {"email_address": email, "status": "subscribed", "merge_fields": merge_fields}
    response = account.client.post(f"/lists/{list_id}/members", json=body)
    assert response.status_code == 200, response.text


def deliveries(emulator: RunningEmulator, webhook_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = emulator.control("GET", "webhooks/deliveries", webhook_id=webhook_id)[
        "deliveries"
    ]
    return found


def settled(emulator: RunningEmulator, webhook_id: str, count: int = 1) -> list[dict[str, Any]]:
    """The webhook's deliveries once ``count`` of them have finished (delivered, failed or disabled)."""

    def done() -> bool:
        found = deliveries(emulator, webhook_id)
        return len([d for d in found if d["outcome"] != "pending"]) >= count

    wait_until(done, what=f"{count} settled deliveries")
    return deliveries(emulator, webhook_id)


def test_creating_a_webhook_sends_the_validator_get_first(
    account: McAccount, receiver: WebhookReceiver
) -> None:
    audience = account.new_list()
    webhook = add_webhook(account, audience["id"], receiver.url)

    assert [(r.method, r.headers["User-Agent"]) for r in receiver.requests] == [
        ("GET", "MailChimp.com WebHook Validator")
    ]
    assert webhook["url"] == receiver.url
    assert webhook["list_id"] == audience["id"]
    assert webhook["events"] == ALL_EVENTS and webhook["sources"] == ALL_SOURCES
    listed = account.client.get(f"/lists/{audience['id']}/webhooks").json()
    assert [w["id"] for w in listed["webhooks"]] == [webhook["id"]]
    assert listed["total_items"] == 1


def test_a_webhook_is_refused_when_its_receiver_answers_500(
    account: McAccount, receiver: WebhookReceiver
) -> None:
    audience = account.new_list()
    receiver.answer(500)

    response = account.client.post(f"/lists/{audience['id']}/webhooks", json={"url": receiver.url})

    assert response.status_code == 400
    assert response.json()["title"] == "Invalid Resource"
    assert response.json()["errors"][0]["field"] == "url"
    assert account.client.get(f"/lists/{audience['id']}/webhooks").json()["webhooks"] == []


def test_a_webhook_is_refused_when_its_receiver_is_down(account: McAccount) -> None:
    audience = account.new_list()
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{unused.getsockname()[1]}/hook"

    response = account.client.post(f"/lists/{audience['id']}/webhooks", json={"url": dead_url})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"


def test_patching_changes_only_the_given_flags_and_delete_removes_the_webhook(
    account: McAccount, receiver: WebhookReceiver
) -> None:
    audience = account.new_list()
    webhook = add_webhook(account, audience["id"], receiver.url)
    path = f"/lists/{audience['id']}/webhooks/{webhook['id']}"

    patched = account.client.patch(
        path, json={"events": {"profile": False}, "sources": {"api": False}}
    ).json()

    assert patched["events"] == {**ALL_EVENTS, "profile": False}
    assert patched["sources"] == {**ALL_SOURCES, "api": False}
    assert account.client.get(path).json() == patched
    assert account.client.delete(path).status_code == 204
    assert account.client.get(path).status_code == 404


def test_an_unknown_event_name_is_refused_by_name(account: McAccount, receiver: WebhookReceiver) -> None:
    audience = account.new_list()
    body = {"url": receiver.url, "events": {"subscribed": True}}

    response = account.client.post(f"/lists/{audience['id']}/webhooks", json=body)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "events.subscribed"


def test_a_subscribe_is_posted_form_encoded_with_mailchimps_field_names(
    account: McAccount, receiver: WebhookReceiver
) -> None:
    audience = account.new_list()
    add_webhook(account, audience["id"], receiver.url)
    address = {"addr1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US"}

    subscribe(account, audience["id"], "ada@fastmail.com", FNAME="Ada", ADDRESS=address)

    [post] = receiver.wait_for_posts(1)
    assert post.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert post.headers["User-Agent"] == "MailChimp.com"
    form = post.form
    assert form["type"] == "subscribe"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", form["fired_at"])
    assert form["data[list_id]"] == audience["id"]
    assert form["data[email]"] == "ada@fastmail.com"
    assert re.fullmatch(r"[0-9a-f]{10}", form["data[id]"])
    assert form["data[merges][FNAME]"] == "Ada"
    assert form["data[merges][ADDRESS][city]"] == "Springfield"
    assert b"data%5Bmerges%5D%5BFNAME%5D=Ada" in post.body


def test_changes_from_the_api_are_not_posted_when_the_api_source_is_off(
    account: McAccount, receiver: WebhookReceiver, fast_emulator: RunningEmulator
) -> None:
    audience = account.new_list()
    webhook = add_webhook(account, audience["id"], receiver.url, sources={**ALL_SOURCES, "api": False})

    subscribe(account, audience["id"], "api-made@fastmail.com")
    fast_emulator.control("POST", f"lists/{audience['id']}/send-campaign", {"subject": "From the UI"})

    assert [d["type"] for d in settled(fast_emulator, webhook["id"])] == ["campaign"]
    assert [p.form["type"] for p in receiver.wait_for_posts(1)] == ["campaign"]


def test_event_types_switched_off_are_not_posted(
    account: McAccount, receiver: WebhookReceiver, fast_emulator: RunningEmulator
) -> None:
    audience = account.new_list()
    webhook = add_webhook(account, audience["id"], receiver.url, events={**ALL_EVENTS, "subscribe": False})

    subscribe(account, audience["id"], "quiet@fastmail.com")

    assert deliveries(fast_emulator, webhook["id"]) == []


@pytest.mark.slow
def test_a_failing_receiver_is_retried_at_growing_intervals_until_it_answers(
    account: McAccount, receiver: WebhookReceiver, fast_emulator: RunningEmulator
) -> None:
    audience = account.new_list()
    webhook = add_webhook(account, audience["id"], receiver.url)
    receiver.answer(500, 503)

    subscribe(account, audience["id"], "retry@fastmail.com")

    [delivery] = settled(fast_emulator, webhook["id"])
    assert delivery["outcome"] == "delivered"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 503, 200]
    times = [datetime.fromisoformat(a["at"]) for a in delivery["attempts"]]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert RETRY_DELAYS[0] <= gaps[0] < gaps[1]
    assert len(receiver.posts()) == 3
    assert receiver.posts()[0].body == receiver.posts()[2].body


@pytest.mark.slow
def test_a_receiver_slower_than_the_timeout_counts_as_a_failed_attempt(
    account: McAccount, receiver: WebhookReceiver, fast_emulator: RunningEmulator
) -> None:
    audience = account.new_list()
    webhook = add_webhook(account, audience["id"], receiver.url)
    receiver.answer(200, delay=1.0)  # twice the shrunk 0.5 s timeout

    subscribe(account, audience["id"], "slow@fastmail.com")

    [delivery] = settled(fast_emulator, webhook["id"])
    first, second = delivery["attempts"]
    assert first["status_code"] is None and "timed out" in first["error"]
    assert second["status_code"] == 200
    assert delivery["outcome"] == "delivered"


@pytest.mark.slow
def test_delivery_gives_up_when_every_retry_fails(
    account: McAccount, receiver: WebhookReceiver, fast_emulator: RunningEmulator
) -> None:
    audience = account.new_list()
    webhook = add_webhook(account, audience["id"], receiver.url)
    receiver.default_status = 500

    subscribe(account, audience["id"], "lost@fastmail.com")

    [delivery] = settled(fast_emulator, webhook["id"])
    assert delivery["outcome"] == "failed"
    assert len(delivery["attempts"]) == 1 + len(RETRY_DELAYS)


def test_answering_410_disables_the_webhook_for_good(
    account: McAccount, receiver: WebhookReceiver, fast_emulator: RunningEmulator
) -> None:
    audience = account.new_list()
    webhook = add_webhook(account, audience["id"], receiver.url)
    receiver.answer(410)

    subscribe(account, audience["id"], "gone@fastmail.com")
    [delivery] = settled(fast_emulator, webhook["id"])
    subscribe(account, audience["id"], "after@fastmail.com")

    assert delivery["outcome"] == "disabled"
    assert [a["status_code"] for a in delivery["attempts"]] == [410]
    assert len(deliveries(fast_emulator, webhook["id"])) == 1
    assert len(receiver.posts()) == 1


def test_events_fired_while_delivery_is_paused_are_lost(
    account: McAccount, receiver: WebhookReceiver, fast_emulator: RunningEmulator
) -> None:
    audience = account.new_list()
    webhook = add_webhook(account, audience["id"], receiver.url)

    fast_emulator.control("PUT", "webhooks/delivery", {"paused": True, "list_id": audience["id"]})
    subscribe(account, audience["id"], "missed@fastmail.com")
    fast_emulator.control("PUT", "webhooks/delivery", {"paused": False, "list_id": audience["id"]})
    subscribe(account, audience["id"], "seen@fastmail.com")

    missed, seen = settled(fast_emulator, webhook["id"], count=2)
    assert (missed["outcome"], missed["attempts"]) == ("dropped", [])
    assert seen["outcome"] == "delivered"
    assert [p.form["data[email]"] for p in receiver.posts()] == ["seen@fastmail.com"]
