"""The webhook URL itself: who may deliver, what a bad body gets, and what retries and late or lost
deliveries do to the end state."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from constituent.auth.models import Role
from constituent.integrations.mailchimp.inbound import repository
from constituent.integrations.mailchimp.inbound.events import EventType, InboundEvent
from constituent.integrations.mailchimp.inbound.intake import inbox_row
from constituent.integrations.mailchimp.inbound.models import InboxStatus
from constituent.integrations.mailchimp.inbound.processing import MAX_ATTEMPTS
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.inbound.helpers import activity_subjects, joined, ledger_row, memberships
from tests.integrations.mailchimp.sync.sync_helpers import add_people

UPEMAIL = InboundEvent(type=EventType.upemail, fired_at=datetime(2030, 1, 1, 10, tzinfo=UTC), list_id="x")


def unsubscribe_fields(live: Live, email: str, fired_at: str = "2030-01-01 10:00:00") -> dict[str, str]:
    return {
        "type": "unsubscribe",
        "fired_at": fired_at,
        "data[action]": "unsub",
        "data[reason]": "manual",
        "data[list_id]": live.audience.audience_id,
        "data[email]": email,
        "data[merges][EMAIL]": email,
    }


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: url[:-3] + "xyz",  # wrong secret
        lambda url: url.replace("/mailchimp/1/", "/mailchimp/999/"),  # wrong id
        lambda url: url.replace("/mailchimp/1/", "/mailchimp/one/"),  # not an id at all
        lambda url: url.rsplit("/", 1)[0] + "/",  # no secret
    ],
    ids=["wrong-secret", "wrong-id", "not-an-id", "no-secret"],
)
@pytest.mark.slow
def test_a_wrong_id_or_secret_gets_404_and_nothing_is_stored(
    live: Live, tamper: Callable[[str], str]
) -> None:
    url = tamper(live.url)
    assert live.integration_id == 1 and url != live.url
    response = live.post(unsubscribe_fields(live, "ann@mailbox.org"), url=url)
    assert response.status_code == 404
    assert live.inbox() == []


@pytest.mark.parametrize(
    "body",
    [b"", b"type=nonsense", b"type=subscribe&fired_at=yesterday", b"\xff\xfe\x00garbage", b"a=%zz&&=&type"],
)
@pytest.mark.slow
def test_a_malformed_body_gets_400_is_logged_without_addresses_and_is_not_stored(
    live: Live, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="constituent.web.mailchimp_routes")
    response = live.http.post(
        live.url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert live.inbox() == []
    [record] = [r for r in caplog.records if r.name == "constituent.web.mailchimp_routes"]
    assert "mailchimp webhook refused" in record.getMessage()


def test_the_log_line_of_a_malformed_body_never_holds_its_address(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    fields = {**unsubscribe_fields(live, "secret.person@mailbox.org"), "fired_at": "not a time"}
    assert live.post(fields).status_code == 400
    assert caplog.records and all("secret.person" not in r.getMessage() for r in caplog.records)


@pytest.mark.slow
def test_the_same_delivery_twice_ends_in_the_same_state(live_groups: Live) -> None:
    live = live_groups
    [ann] = joined(live, "ann@mailbox.org")
    live.audience.sync()
    live.person("ann@mailbox.org", "unsubscribe", reason="manual")
    [delivery] = live.settle(1)
    assert live.post(delivery["fields"]).status_code == 200, "Mailchimp's retry of the same payload"
    assert live.process() == 2

    assert len(memberships(live, ann).past) == 1
    subjects = activity_subjects(live, ann)
    assert subjects.count("Unsubscribed from Mailchimp audience Supporters") == 1
    assert [e.status for e in live.inbox()] == [InboxStatus.processed, InboxStatus.processed]


@pytest.mark.slow
def test_an_older_event_arriving_after_a_newer_one_changes_nothing(live: Live) -> None:
    [kim] = add_people(live.product, "kim@mailbox.org")
    live.audience.sync()
    live.product.emulator.control(
        "PUT", "webhooks/delivery", {"paused": True, "list_id": live.audience.audience_id}
    )
    live.person("kim@mailbox.org", "unsubscribe", reason="manual")
    [lost] = [d for d in live.deliveries() if d["outcome"] == "dropped"]
    live.product.emulator.control(
        "PUT", "webhooks/delivery", {"paused": False, "list_id": live.audience.audience_id}
    )
    time.sleep(1.1)  # fired_at has whole seconds
    body = {"email_address": "kim@mailbox.org", "merge_fields": {"FNAME": "Kim"}}
    live.product.emulator.control("POST", f"lists/{live.audience.audience_id}/signup", body)
    live.settle(2)
    live.process()
    assert live.post(lost["fields"]).status_code == 200, "the unsubscribe, delivered late"
    live.process()

    row = ledger_row(live, "kim@mailbox.org")
    assert row is not None and row.status is RemoteStatus.subscribed
    assert "Unsubscribed from Mailchimp audience Supporters" not in activity_subjects(live, kim)
    assert [e.outcome for e in live.inbox()][-1] == "stale (a newer event was applied)"


def test_deliveries_while_nothing_processes_are_kept_and_processed_later(live: Live) -> None:
    ids = add_people(live.product, "a1@mailbox.org", "a2@mailbox.org", "a3@mailbox.org")
    live.audience.sync()
    for email in ("a1@mailbox.org", "a2@mailbox.org", "a3@mailbox.org"):
        live.person(email, "unsubscribe", reason="manual")
    live.settle(3)
    assert [e.status for e in live.inbox()] == [InboxStatus.received] * 3

    assert live.process() == 3
    assert live.process() == 0, "nothing left"
    for contact_id in ids:
        assert "Unsubscribed from Mailchimp audience Supporters" in activity_subjects(live, contact_id)


def test_an_event_for_another_audience_is_ignored(live: Live) -> None:
    fields = {**unsubscribe_fields(live, "zed@mailbox.org"), "data[list_id]": "someother"}
    assert live.post(fields).status_code == 200
    live.process()
    [event] = live.inbox()
    assert (event.status, event.outcome) == (InboxStatus.ignored, "ignored: another audience")


@pytest.mark.slow
def test_the_inbox_is_listed_for_admins_with_its_processing_state(live: Live) -> None:
    add_people(live.product, "b1@mailbox.org")
    live.audience.sync()
    live.person("b1@mailbox.org", "unsubscribe", reason="manual")
    live.settle(1)
    assert (
        live.post({**unsubscribe_fields(live, "x@mailbox.org"), "data[list_id]": "other"}).status_code == 200
    )
    live.process()

    with live.api() as admin:
        everything = admin.get("/webhook-events", params={"limit": 1}).json()
        ignored = admin.get("/webhook-events", params={"status": "ignored"}).json()
        bad = admin.get("/webhook-events", params={"status": "bogus"})
    assert (everything["total"], len(everything["items"])) == (2, 1)
    assert [i["status"] for i in ignored["items"]] == ["ignored"]
    assert bad.status_code == 422
    assert "body" not in everything["items"][0], "bodies hold addresses"
    with live.api(role=Role.staff) as staff:
        assert staff.get("/webhook-events").status_code == 403


@pytest.mark.slow
@pytest.mark.parametrize("queue_url", ["memory://"])
def test_a_stored_delivery_asks_the_queue_for_processing(live: Live, queue_url: str) -> None:
    [ola] = add_people(live.product, "ola@mailbox.org")
    live.audience.sync()
    live.person("ola@mailbox.org", "unsubscribe", reason="manual")
    live.settle(1)
    deadline = time.monotonic() + 10
    while [e.status for e in live.inbox()] != [InboxStatus.processed]:
        assert time.monotonic() < deadline, f"not processed by the job ({queue_url})"
        time.sleep(0.05)
    assert "Unsubscribed from Mailchimp audience Supporters" in activity_subjects(live, ola)


def test_an_address_our_contacts_refuse_is_a_400_and_an_older_stored_one_fails_at_once(live: Live) -> None:
    """Mailchimp would not send ``pia@localhost``; our contacts refuse it, so the intake does too (issue
    13, item 6). A row an older intake stored with it is marked failed on its first pass, not retried."""
    add_people(live.product, "pia@mailbox.org")
    fields = {
        "type": "upemail",
        "fired_at": "2030-01-01 10:00:00",
        "data[list_id]": live.audience.audience_id,
        "data[old_email]": "pia@mailbox.org",
        "data[new_email]": "pia@localhost",
    }
    assert live.post(fields).status_code == 400
    assert live.inbox() == []

    stored_before = replace(UPEMAIL, email="pia@mailbox.org", new_email="pia@mailbox.org")
    row = inbox_row(live.integration_id, urlencode(fields).encode(), stored_before)
    with session_scope(live.product.db.sessions) as session:
        repository.insert_many(session, [row])
    assert live.process() == 1
    [event] = live.inbox()
    assert (event.status, event.outcome) == (
        InboxStatus.failed,
        "unreadable: data[new_email]: not an email address",
    )
    assert live.process() == 0, "a failed row is left for a person"


def test_a_delivery_whose_apply_raises_is_tried_three_times_then_marked_failed(live: Live) -> None:
    row = inbox_row(live.integration_id, b"type=unsubscribe", UPEMAIL)
    with session_scope(live.product.db.sessions) as session:
        repository.insert_many(session, [row])
    [event] = live.inbox()
    for attempt in (1, 2, 3):
        with session_scope(live.product.db.sessions) as session:
            status = repository.record_failure(
                session, event.id, "InvalidInput: boom", utcnow(), MAX_ATTEMPTS
            )
        expected = InboxStatus.failed if attempt == MAX_ATTEMPTS else InboxStatus.received
        assert status is expected
    [event] = live.inbox()
    assert (event.status, event.attempts, event.outcome) == (InboxStatus.failed, 3, "failed")
    assert live.process() == 0, "a failed row is left for a person"
