"""Mailchimp's official Python client (mailchimp-marketing) works against the emulator unchanged."""

from __future__ import annotations

import mailchimp_marketing
import pytest
from mailchimp_marketing.api_client import ApiClientError

from mailchimp_emulator.hashing import subscriber_hash
from tests.support.emulator import RunningEmulator, list_body


@pytest.fixture
def sdk(emulator: RunningEmulator, spec_checked_mailchimp_marketing: None) -> mailchimp_marketing.Client:
    created = emulator.create_account()
    client = mailchimp_marketing.Client()
    client.set_config({"api_key": created["api_key"], "server": created["dc"]})
    client.api_client.host = emulator.api_base  # the one change: point the SDK at the emulator
    return client


def test_the_official_client_drives_lists_members_tags_and_segments(sdk: mailchimp_marketing.Client) -> None:
    assert sdk.ping.get() == {"health_status": "Everything's Chimpy!"}
    list_id = sdk.lists.create_list(list_body("Supporters"))["id"]
    email_hash = subscriber_hash("ada@mailbox.org")
    member = sdk.lists.set_list_member(
        list_id, email_hash, {"email_address": "ada@mailbox.org", "status_if_new": "subscribed"}
    )
    assert member["status"] == "subscribed"
    batch = sdk.lists.batch_list_members(
        list_id,
        {"members": [{"email_address": "bob@mailbox.org", "status": "subscribed"}], "update_existing": True},
    )
    assert batch["total_created"] == 1
    sdk.lists.update_list_member_tags(list_id, email_hash, {"tags": [{"name": "Donor", "status": "active"}]})
    assert [t["name"] for t in sdk.lists.get_list_member_tags(list_id, email_hash)["tags"]] == ["Donor"]
    segment = sdk.lists.create_segment(list_id, {"name": "Core", "static_segment": ["bob@mailbox.org"]})
    assert sdk.lists.get_segment_members_list(list_id, segment["id"])["total_items"] == 1
    page = sdk.lists.get_list_members_info(
        list_id, fields=["members.email_address", "total_items"], count=1000
    )
    assert page["total_items"] == 2
    sdk.lists.delete_list_member_permanent(list_id, email_hash)
    with pytest.raises(ApiClientError) as refused:
        sdk.lists.add_list_member(list_id, {"email_address": "ada@mailbox.org", "status": "subscribed"})
    assert "Forgotten Email Not Subscribed" in refused.value.text
