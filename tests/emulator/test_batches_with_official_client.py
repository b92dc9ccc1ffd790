"""Mailchimp's official Python client (mailchimp-marketing) driven through batches, campaigns and reports."""

from __future__ import annotations

import io
import json
import tarfile
from typing import Any

import httpx
import mailchimp_marketing
import pytest

from mailchimp_emulator.hashing import subscriber_hash
from tests.support.emulator import McAccount, list_body
from tests.support.webhook_receiver import wait_until


@pytest.fixture
def sdk(spec_checked_mailchimp_marketing: None, mc_account: McAccount) -> Any:
    client = mailchimp_marketing.Client()
    client.set_config({"api_key": mc_account.api_key, "server": mc_account.dc})
    client.api_client.host = mc_account.emulator.api_base
    return client


def test_the_official_client_subscribes_through_a_batch_and_reads_the_results(sdk: Any) -> None:
    list_id = sdk.lists.create_list(list_body())["id"]
    emails = ["ada@mailbox.org", "grace@mailbox.org"]
    operations = [
        {
            "method": "PUT",
            "path": f"/lists/{list_id}/members/{subscriber_hash(email)}",
            "operation_id": email,
            "body": json.dumps({"email_address": email, "status_if_new": "subscribed"}),
        }
        for email in emails
    ]

    batch = sdk.batches.start({"operations": operations})
    wait_until(lambda: sdk.batches.status(batch["id"])["status"] == "finished", what="the batch")
    done = sdk.batches.status(batch["id"])

    assert (done["total_operations"], done["errored_operations"]) == (2, 0)
    assert batch["id"] in [b["id"] for b in sdk.batches.list()["batches"]]
    with tarfile.open(
        fileobj=io.BytesIO(httpx.get(done["response_body_url"]).content), mode="r:gz"
    ) as archive:
        rows = [row for member in archive.getmembers() for row in json.load(archive.extractfile(member))]
    assert sorted(row["operation_id"] for row in rows) == emails
    assert all(json.loads(row["response"])["status"] == "subscribed" for row in rows)
    assert sdk.lists.get_list_members_info(list_id)["total_items"] == 2


def test_the_official_client_creates_sends_and_reports_a_campaign(sdk: Any) -> None:
    list_id = sdk.lists.create_list(list_body())["id"]
    sdk.lists.add_list_member(list_id, {"email_address": "reader@mailbox.org", "status": "subscribed"})
    settings = {
        "subject_line": "Hello",
        "from_name": "Acme",
        "reply_to": "news@acme.co.uk",
        "title": "Hello",
    }

    campaign = sdk.campaigns.create(
        {"type": "regular", "recipients": {"list_id": list_id}, "settings": settings}
    )
    sdk.campaigns.send(campaign["id"])

    assert sdk.campaigns.get(campaign["id"])["status"] == "sent"
    sent_to = sdk.reports.get_campaign_recipients(campaign["id"], count=10, offset=0)
    assert [r["email_address"] for r in sent_to["sent_to"]] == ["reader@mailbox.org"]
    found = sdk.campaigns.list(member_id=subscriber_hash("reader@mailbox.org"), status="sent")
    assert [c["id"] for c in found["campaigns"]] == [campaign["id"]]
    activity = sdk.reports.get_email_activity_for_campaign(campaign["id"])
    assert activity["emails"][0]["email_address"] == "reader@mailbox.org"
