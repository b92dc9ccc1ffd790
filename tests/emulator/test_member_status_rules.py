"""Who may be subscribed again, archiving, forgetting: the consent rules the product depends on."""

from __future__ import annotations

from typing import Any

from mailchimp_emulator.hashing import subscriber_hash
from tests.support.emulator import McAccount


def _list_with_member(account: McAccount, email: str = "ada@mailbox.org", status: str = "subscribed") -> str:
    list_id = str(account.new_list()["id"])
    created = account.client.post(
        f"/lists/{list_id}/members", json={"email_address": email, "status": status}
    )
    assert created.status_code == 200, created.text
    return list_id


def _put(account: McAccount, list_id: str, email: str, **body: Any) -> Any:
    return account.client.put(
        f"/lists/{list_id}/members/{subscriber_hash(email)}", json={"email_address": email, **body}
    )


def test_the_member_id_is_the_md5_of_the_lower_cased_email(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account, "Urist.McVankab@freddiesjokes.com")
    member = mc_account.client.get(f"/lists/{list_id}/members/urist.mcvankab@freddiesjokes.com").json()
    assert member["id"] == "62eeb292278cc15f5817cb78f7790b08"


def test_adding_an_existing_member_again_is_member_exists(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account)
    again = mc_account.client.post(
        f"/lists/{list_id}/members", json={"email_address": "ada@mailbox.org", "status": "subscribed"}
    )
    assert again.status_code == 400
    assert again.json()["title"] == "Member Exists"


def test_someone_unsubscribed_through_the_api_can_be_subscribed_again(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account)
    assert (
        _put(mc_account, list_id, "ada@mailbox.org", status="unsubscribed").json()["status"] == "unsubscribed"
    )
    assert _put(mc_account, list_id, "ada@mailbox.org", status="subscribed").json()["status"] == "subscribed"


def test_someone_who_unsubscribed_themselves_is_in_compliance_state(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account)
    mc_account.emulator.control(
        "POST", f"lists/{list_id}/members/{subscriber_hash('ada@mailbox.org')}/unsubscribe", {}
    )
    refused = _put(mc_account, list_id, "ada@mailbox.org", status="subscribed")
    assert refused.status_code == 400
    assert refused.json()["title"] == "Member In Compliance State"
    patched = mc_account.client.patch(
        f"/lists/{list_id}/members/ada@mailbox.org", json={"status": "subscribed"}
    )
    assert patched.json()["title"] == "Member In Compliance State"
    assert (
        mc_account.client.get(f"/lists/{list_id}/members/ada@mailbox.org").json()["status"] == "unsubscribed"
    )


def test_a_bounced_member_cannot_be_subscribed_but_can_be_asked_to_confirm(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account)
    mc_account.emulator.control(
        "POST", f"lists/{list_id}/members/{subscriber_hash('ada@mailbox.org')}/bounce", {}
    )
    assert (
        _put(mc_account, list_id, "ada@mailbox.org", status="subscribed").json()["title"]
        == "Member In Compliance State"
    )
    pending = _put(mc_account, list_id, "ada@mailbox.org", status="pending")
    assert pending.json()["status"] == "pending"
    export = mc_account.emulator.control("GET", f"lists/{list_id}/export")["members"][0]
    assert export["confirmations_sent"] == 1
    assert export["compliance"] is True


def test_status_if_new_never_changes_an_existing_member(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account, status="unsubscribed")
    kept = _put(
        mc_account, list_id, "ada@mailbox.org", status_if_new="subscribed", merge_fields={"FNAME": "Ada"}
    )
    assert kept.json()["status"] == "unsubscribed"
    assert kept.json()["merge_fields"]["FNAME"] == "Ada"


def test_put_creates_a_new_member_with_status_if_new(mc_account: McAccount) -> None:
    list_id = str(mc_account.new_list()["id"])
    created = _put(mc_account, list_id, "new@mailbox.org", status_if_new="pending")
    assert created.status_code == 200
    assert created.json()["status"] == "pending"


def test_archiving_then_writing_a_status_brings_the_member_back_with_exactly_that_status(
    mc_account: McAccount,
) -> None:
    list_id = _list_with_member(mc_account)
    assert mc_account.client.delete(f"/lists/{list_id}/members/ada@mailbox.org").status_code == 204
    assert mc_account.client.get(f"/lists/{list_id}/members/ada@mailbox.org").json()["status"] == "archived"
    back = mc_account.client.patch(
        f"/lists/{list_id}/members/ada@mailbox.org", json={"status": "unsubscribed"}
    )
    assert back.json()["status"] == "unsubscribed"


def test_archiving_a_pending_cleaned_or_archived_member_is_405(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account, status="pending")
    refused = mc_account.client.delete(f"/lists/{list_id}/members/ada@mailbox.org")
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, PUT"
    assert refused.json()["title"] == "Method Not Allowed"


def test_a_permanently_deleted_member_is_gone_and_cannot_be_re_added(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account)
    member_hash = subscriber_hash("ada@mailbox.org")
    deleted = mc_account.client.post(f"/lists/{list_id}/members/{member_hash}/actions/delete-permanent")
    assert deleted.status_code == 204
    assert mc_account.client.get(f"/lists/{list_id}/members/{member_hash}").status_code == 404
    again = mc_account.client.post(
        f"/lists/{list_id}/members", json={"email_address": "ada@mailbox.org", "status": "subscribed"}
    )
    assert again.status_code == 400
    assert again.json()["title"] == "Forgotten Email Not Subscribed"


def test_patching_a_missing_member_is_404(mc_account: McAccount) -> None:
    list_id = str(mc_account.new_list()["id"])
    response = mc_account.client.patch(f"/lists/{list_id}/members/nobody@mailbox.org", json={"vip": True})
    assert response.status_code == 404


def test_patch_refuses_the_transactional_status(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account)
    response = mc_account.client.patch(
        f"/lists/{list_id}/members/ada@mailbox.org", json={"status": "transactional"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"


def test_changing_the_email_re_keys_the_member(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account)
    moved = mc_account.client.patch(
        f"/lists/{list_id}/members/ada@mailbox.org", json={"email_address": "ada@new.org"}
    )
    assert moved.json()["id"] == subscriber_hash("ada@new.org")
    assert mc_account.client.get(f"/lists/{list_id}/members/ada@mailbox.org").status_code == 404


def test_every_change_moves_last_changed(mc_account: McAccount) -> None:
    list_id = _list_with_member(mc_account)
    store = mc_account.emulator.store
    member = store.lists[list_id].members[subscriber_hash("ada@mailbox.org")]
    member.last_changed = member.last_changed.replace(year=2020)
    changed = mc_account.client.patch(
        f"/lists/{list_id}/members/ada@mailbox.org", json={"merge_fields": {"FNAME": "A"}}
    )
    assert not changed.json()["last_changed"].startswith("2020")
