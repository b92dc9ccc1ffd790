"""POST /lists/{id}: up to 500 members per call, each succeeding or failing on its own."""

from __future__ import annotations

from typing import Any

from mailchimp_emulator.hashing import subscriber_hash
from tests.support.emulator import McAccount


def _batch(account: McAccount, list_id: str, members: list[dict[str, Any]], **options: Any) -> Any:
    response = account.client.post(f"/lists/{list_id}", json={"members": members, **options})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_batch_creates_new_members_and_tags_them(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    members = [
        {"email_address": f"m{n}@mailbox.org", "status_if_new": "subscribed", "tags": ["Donor"]}
        for n in range(3)
    ]
    result = _batch(mc_account, list_id, members)
    assert (result["total_created"], result["total_updated"], result["error_count"]) == (3, 0, 0)
    assert [t["name"] for t in result["new_members"][0]["tags"]] == ["Donor"]


def test_existing_members_are_errors_unless_update_existing(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    entry = {"email_address": "a@mailbox.org", "status": "subscribed", "merge_fields": {"FNAME": "Ada"}}
    _batch(mc_account, list_id, [entry])
    refused = _batch(mc_account, list_id, [entry])
    assert refused["errors"][0]["error_code"] == "ERROR_CONTACT_EXISTS"
    assert refused["errors"][0]["email_address"] == "a@mailbox.org"
    updated = _batch(
        mc_account, list_id, [{**entry, "merge_fields": {"FNAME": "Ada L."}}], update_existing=True
    )
    assert updated["total_updated"] == 1
    assert updated["updated_members"][0]["merge_fields"]["FNAME"] == "Ada L."


def test_a_compliance_member_is_an_error_item_not_a_failed_request(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    _batch(mc_account, list_id, [{"email_address": "a@mailbox.org", "status": "subscribed"}])
    mc_account.emulator.control(
        "POST", f"lists/{list_id}/members/{subscriber_hash('a@mailbox.org')}/unsubscribe", {}
    )
    members = [
        {"email_address": "a@mailbox.org", "status": "subscribed"},
        {"email_address": "b@mailbox.org", "status": "subscribed"},
        {"email_address": "not-an-email", "status": "subscribed"},
    ]
    result = _batch(mc_account, list_id, members, update_existing=True)
    assert result["total_created"] == 1
    errors = {e["email_address"]: e for e in result["errors"]}
    assert "compliance state" in errors["a@mailbox.org"]["error"]
    assert errors["not-an-email"]["error_code"] == "ERROR_GENERIC"


def test_status_if_new_does_not_touch_an_existing_members_status(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    _batch(mc_account, list_id, [{"email_address": "a@mailbox.org", "status": "unsubscribed"}])
    result = _batch(
        mc_account,
        list_id,
        [{"email_address": "a@mailbox.org", "status_if_new": "subscribed"}],
        update_existing=True,
    )
    assert result["updated_members"][0]["status"] == "unsubscribed"


def test_sync_tags_replaces_a_members_tags(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    _batch(
        mc_account,
        list_id,
        [{"email_address": "a@mailbox.org", "status": "subscribed", "tags": ["Old", "Keep"]}],
    )
    result = _batch(
        mc_account,
        list_id,
        [{"email_address": "a@mailbox.org", "tags": ["Keep", "New"]}],
        update_existing=True,
        sync_tags=True,
    )
    assert sorted(t["name"] for t in result["updated_members"][0]["tags"]) == ["Keep", "New"]


def test_a_duplicate_address_in_one_batch_is_reported(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    entry = {"email_address": "a@mailbox.org", "status": "subscribed"}
    result = _batch(mc_account, list_id, [entry, entry])
    assert (result["total_created"], result["error_count"]) == (1, 1)


def test_more_than_500_members_is_refused_whole(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    members = [{"email_address": f"m{n}@mailbox.org", "status": "subscribed"} for n in range(501)]
    response = mc_account.client.post(f"/lists/{list_id}", json={"members": members})
    assert response.status_code == 400
    assert response.json()["title"] == "Invalid Resource"
    assert mc_account.client.get(f"/lists/{list_id}/members").json()["total_items"] == 0


ANSWER_FIELDS = "new_members.id,new_members.status,updated_members.id,total_created,error_count"


def test_a_batch_answer_holds_only_the_fields_asked_for(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    _batch(mc_account, list_id, [{"email_address": "old@mailbox.org", "status": "subscribed"}])
    entries = [
        {"email_address": "old@mailbox.org", "status_if_new": "subscribed", "merge_fields": {"FNAME": "Ada"}},
        {"email_address": "new@mailbox.org", "status_if_new": "subscribed", "tags": ["Donor"]},
    ]
    response = mc_account.client.post(
        f"/lists/{list_id}",
        params={"fields": ANSWER_FIELDS},
        json={"members": entries, "update_existing": True},
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "new_members": [{"id": subscriber_hash("new@mailbox.org"), "status": "subscribed"}],
        "updated_members": [{"id": subscriber_hash("old@mailbox.org")}],
        "total_created": 1,
        "error_count": 0,
    }


def test_a_batch_answer_is_whole_under_the_reading_that_writes_ignore_fields(mc_account: McAccount) -> None:
    mc_account.emulator.control(
        "PUT", f"accounts/{mc_account.account_id}/readings", {"write_answers_trimmed": False}
    )
    list_id = mc_account.new_list()["id"]
    response = mc_account.client.post(
        f"/lists/{list_id}",
        params={"fields": ANSWER_FIELDS},
        json={"members": [{"email_address": "new@mailbox.org", "status_if_new": "subscribed"}]},
    )

    assert response.status_code == 200, response.text
    member = response.json()["new_members"][0]
    assert (member["email_address"], member["merge_fields"]["FNAME"]) == ("new@mailbox.org", "")
    assert response.json()["errors"] == []
