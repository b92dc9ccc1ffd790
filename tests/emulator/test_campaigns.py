"""Campaigns and reports: who a sent campaign went to, opens and clicks, and the campaign webhook."""

from __future__ import annotations

from typing import Any

from mailchimp_emulator.hashing import subscriber_hash
from tests.support.emulator import McAccount
from tests.support.webhook_receiver import WebhookReceiver

SETTINGS = {
    "subject_line": "Spring appeal",
    "from_name": "Acme",
    "reply_to": "news@acme.co.uk",
    "title": "T",
}


def add_member(account: McAccount, list_id: str, email: str, status: str = "subscribed") -> None:
    body = {"email_address": email, "status": status, "merge_fields": {"FNAME": email.split("@")[0]}}
    response = account.client.post(f"/lists/{list_id}/members", json=body)
    assert response.status_code == 200, response.text


def new_campaign(account: McAccount, list_id: str, segment_id: int | None = None) -> dict[str, Any]:
    recipients: dict[str, Any] = {"list_id": list_id}
    if segment_id is not None:
        recipients["segment_opts"] = {"saved_segment_id": segment_id}
    body = {"type": "regular", "recipients": recipients, "settings": SETTINGS}
    response = account.client.post("/campaigns", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def sent_campaign(account: McAccount, list_id: str, segment_id: int | None = None) -> dict[str, Any]:
    campaign = new_campaign(account, list_id, segment_id)
    response = account.client.post(f"/campaigns/{campaign['id']}/actions/send")
    assert response.status_code == 204, response.text
    return campaign


def sent_to_emails(account: McAccount, campaign_id: str, **params: Any) -> list[str]:
    report = account.client.get(f"/reports/{campaign_id}/sent-to", params=params).json()
    return [row["email_address"] for row in report["sent_to"]]


def test_a_sent_campaign_went_only_to_subscribed_members(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    for email, status in [("a@x.org", "subscribed"), ("b@x.org", "unsubscribed"), ("c@x.org", "pending")]:
        add_member(mc_account, audience["id"], email, status)
    add_member(mc_account, audience["id"], "d@x.org")

    campaign = sent_campaign(mc_account, audience["id"])

    read = mc_account.client.get(f"/campaigns/{campaign['id']}").json()
    assert (read["status"], read["emails_sent"]) == ("sent", 2)
    assert read["send_time"]
    assert sent_to_emails(mc_account, campaign["id"]) == ["a@x.org", "d@x.org"]


def test_a_campaign_for_a_tag_goes_only_to_its_subscribed_members(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    for email in ("in@x.org", "out@x.org"):
        add_member(mc_account, audience["id"], email)
    add_member(mc_account, audience["id"], "tagged-but-unsubscribed@x.org", "unsubscribed")
    body = {"name": "Volunteers", "static_segment": ["in@x.org", "tagged-but-unsubscribed@x.org"]}
    tag = mc_account.client.post(f"/lists/{audience['id']}/segments", json=body).json()

    campaign = sent_campaign(mc_account, audience["id"], tag["id"])

    assert sent_to_emails(mc_account, campaign["id"]) == ["in@x.org"]
    read = mc_account.client.get(f"/campaigns/{campaign['id']}").json()
    assert read["recipients"]["segment_opts"]["saved_segment_id"] == tag["id"]


def test_the_member_id_filter_finds_the_campaigns_sent_to_that_member(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    add_member(mc_account, audience["id"], "early@x.org")
    first = sent_campaign(mc_account, audience["id"])
    add_member(mc_account, audience["id"], "late@x.org")
    second = sent_campaign(mc_account, audience["id"])
    unsent = new_campaign(mc_account, audience["id"])

    def campaign_ids(**params: Any) -> list[str]:
        return [c["id"] for c in mc_account.client.get("/campaigns", params=params).json()["campaigns"]]

    assert campaign_ids(member_id=subscriber_hash("early@x.org")) == [first["id"], second["id"]]
    assert campaign_ids(member_id=subscriber_hash("late@x.org")) == [second["id"]]
    assert campaign_ids(status="save") == [unsent["id"]]
    assert campaign_ids(since_send_time="2000-01-01T00:00:00+00:00") == [first["id"], second["id"]]
    assert campaign_ids(before_send_time="2000-01-01T00:00:00+00:00") == []


def test_sent_to_is_paged_with_count_and_offset(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    emails = [f"m{n}@x.org" for n in range(5)]
    for email in emails:
        add_member(mc_account, audience["id"], email)
    campaign = sent_campaign(mc_account, audience["id"])

    page = mc_account.client.get(
        f"/reports/{campaign['id']}/sent-to", params={"count": 2, "offset": 2}
    ).json()

    assert [row["email_address"] for row in page["sent_to"]] == emails[2:4]
    assert page["total_items"] == 5
    row = page["sent_to"][0]
    assert (row["email_id"], row["status"], row["campaign_id"]) == (
        subscriber_hash(emails[2]),
        "sent",
        campaign["id"],
    )
    assert row["merge_fields"]["FNAME"] == "m2"


def test_sent_to_one_member_answers_404_for_someone_who_was_not_sent_it(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    add_member(mc_account, audience["id"], "got@x.org")
    add_member(mc_account, audience["id"], "not@x.org", "unsubscribed")
    campaign = sent_campaign(mc_account, audience["id"])
    base = f"/reports/{campaign['id']}/sent-to"

    assert (
        mc_account.client.get(f"{base}/{subscriber_hash('got@x.org')}").json()["email_address"] == "got@x.org"
    )
    assert mc_account.client.get(f"{base}/{subscriber_hash('not@x.org')}").status_code == 404


def test_email_activity_shows_the_opens_and_clicks_recipients_made(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    add_member(mc_account, audience["id"], "reader@x.org")
    add_member(mc_account, audience["id"], "idle@x.org")
    campaign = sent_campaign(mc_account, audience["id"])
    activity = f"campaigns/{campaign['id']}/activity"
    mc_account.emulator.control("POST", activity, {"email": "reader@x.org", "action": "open"})
    mc_account.emulator.control(
        "POST", activity, {"email": "reader@x.org", "action": "click", "url": "https://a.b"}
    )

    report = mc_account.client.get(f"/reports/{campaign['id']}/email-activity").json()
    future = mc_account.client.get(
        f"/reports/{campaign['id']}/email-activity", params={"since": "2999-01-01"}
    )

    by_email = {row["email_address"]: row["activity"] for row in report["emails"]}
    assert [a["action"] for a in by_email["reader@x.org"]] == ["open", "click"]
    assert by_email["reader@x.org"][1]["url"] == "https://a.b"
    assert by_email["idle@x.org"] == []
    assert all(row["activity"] == [] for row in future.json()["emails"])
    summary = mc_account.client.get(f"/reports/{campaign['id']}").json()
    assert (summary["opens"]["unique_opens"], summary["clicks"]["clicks_total"]) == (1, 1)
    assert mc_account.client.get(f"/reports/{campaign['id']}/sent-to").json()["sent_to"][0]["open_count"] == 1


def test_sending_fires_the_campaign_webhook(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    with WebhookReceiver() as receiver:
        hook = {"url": receiver.url, "events": {"campaign": True}, "sources": {"api": True}}
        assert mc_account.client.post(f"/lists/{audience['id']}/webhooks", json=hook).status_code == 200

        campaign = sent_campaign(mc_account, audience["id"])

        [post] = receiver.wait_for_posts(1)
    assert post.form == {
        "type": "campaign",
        "fired_at": post.form["fired_at"],
        "data[id]": campaign["id"],
        "data[subject]": "Spring appeal",
        "data[status]": "sent",
        "data[reason]": "",
        "data[list_id]": audience["id"],
    }


def test_a_campaign_is_sent_once_and_only_when_ready(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    campaign = sent_campaign(mc_account, audience["id"])
    draft = mc_account.client.post(
        "/campaigns", json={"type": "regular", "recipients": {"list_id": audience["id"]}}
    )

    again = mc_account.client.post(f"/campaigns/{campaign['id']}/actions/send")
    unready = mc_account.client.post(f"/campaigns/{draft.json()['id']}/actions/send")

    assert again.status_code == 400
    assert unready.status_code == 400
    assert {e["field"] for e in unready.json()["errors"]} == {
        f"settings.{n}" for n in ("subject_line", "from_name", "reply_to")
    }
    assert mc_account.client.get(f"/reports/{draft.json()['id']}").status_code == 404


def test_a_campaign_for_an_unknown_list_is_refused_naming_the_field(mc_account: McAccount) -> None:
    response = mc_account.client.post(
        "/campaigns", json={"type": "regular", "recipients": {"list_id": "nope"}}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "recipients.list_id"
    assert mc_account.client.get("/campaigns").json()["total_items"] == 0


def test_a_draft_can_be_updated_and_deleted(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    campaign = new_campaign(mc_account, audience["id"])
    path = f"/campaigns/{campaign['id']}"

    patched = mc_account.client.patch(path, json={"settings": {"subject_line": "Better subject"}}).json()

    assert patched["settings"]["subject_line"] == "Better subject"
    assert patched["settings"]["from_name"] == "Acme"
    assert mc_account.client.delete(path).status_code == 204
    assert mc_account.client.get(path).status_code == 404
