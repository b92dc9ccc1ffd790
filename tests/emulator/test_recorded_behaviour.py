"""The emulator answers as the live Mailchimp was recorded answering (../shared/mailchimp/REAL-BEHAVIOUR.md,
first table, and docs/MAILCHIMP-FIDELITY.md). Each test names its source: repository and path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from mailchimp_emulator.hashing import subscriber_hash
from mailchimp_emulator.readings import looks_fake_detail
from tests.support.emulator import McAccount, RunningEmulator, account_on

Factory = Callable[..., RunningEmulator]
VALIDATION_DETAIL = (
    "The resource submitted could not be validated. For field-specific details, see the 'errors' array."
)


def _add(account: McAccount, list_id: str, email: str, status: str = "subscribed", **body: Any) -> Any:
    return account.client.post(
        f"/lists/{list_id}/members", json={"email_address": email, "status": status, **body}
    )


def _rename(account: McAccount, list_id: str, old: str, new: str) -> httpx.Response:
    return account.client.patch(
        f"/lists/{list_id}/members/{subscriber_hash(old)}", json={"email_address": new}
    )


def _member(account: McAccount, list_id: str, email: str) -> dict[str, Any]:
    found: dict[str, Any] = account.client.get(f"/lists/{list_id}/members/{subscriber_hash(email)}").json()
    return found


def _new_list_with(account: McAccount, *emails: str) -> str:
    list_id = str(account.new_list()["id"])
    for email in emails:
        assert _add(account, list_id, email).status_code == 200
    return list_id


def test_a_rename_onto_a_held_address_is_invalid_resource_naming_its_status(mc_account: McAccount) -> None:
    """Row 1. wepublish/wepublish libs/mail/api/src/lib/mailchimp-contact/mailchimp-contact.service.spec.ts
    ("As Mailchimp answered a rename on 2026-10-09": `"new@…" is already in this list with a status of
    "Non-Subscribed".`); grouparoo/grouparoo plugins/@grouparoo/mailchimp/src/lib/export/exportProfile.ts
    matches `is already in this list with a status of "subscribed"`."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org", "bob@mailbox.org", "cy@mailbox.org")
    mc_account.client.patch(f"/lists/{list_id}/members/cy@mailbox.org", json={"status": "unsubscribed"})
    for target, word in (("bob@mailbox.org", "Subscribed"), ("cy@mailbox.org", "Non-Subscribed")):
        clash = _rename(mc_account, list_id, "ada@mailbox.org", target)
        assert clash.status_code == 400
        body = clash.json()
        assert (body["title"], body["detail"]) == ("Invalid Resource", VALIDATION_DETAIL)
        message = f'"{target}" is already in this list with a status of "{word}".'
        assert body["errors"] == [{"field": "email address", "message": message}]
    assert _member(mc_account, list_id, "ada@mailbox.org")["status"] == "subscribed"


def test_a_rename_onto_a_permanently_deleted_address_is_refused_as_deleted(mc_account: McAccount) -> None:
    """Row 1. wepublish/wepublish libs/mail/api/src/lib/mailchimp-contact/mailchimp-error.spec.ts records
    `"jane.doe@…" is already in this list with a status of "Deleted".`; REAL-BEHAVIOUR.md: the same when
    the target was permanently deleted."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org", "gone@mailbox.org")
    forgotten = f"/lists/{list_id}/members/{subscriber_hash('gone@mailbox.org')}/actions/delete-permanent"
    assert mc_account.client.post(forgotten).status_code == 204
    clash = _rename(mc_account, list_id, "ada@mailbox.org", "gone@mailbox.org")
    assert clash.status_code == 400
    assert clash.json()["errors"][0]["message"] == (
        '"gone@mailbox.org" is already in this list with a status of "Deleted".'
    )


def test_status_if_new_leaves_an_archived_member_archived_and_status_brings_it_back(
    mc_account: McAccount,
) -> None:
    """Row 2. tbar0970/jethro-pmm issue #708 and fix a01edde1 (scripts/mailchimp_sync.php sends `status`
    beside `status_if_new`); the spec: status_if_new is "required only if the email address is not already
    present on the list"."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org")
    path = f"/lists/{list_id}/members/{subscriber_hash('ada@mailbox.org')}"
    assert mc_account.client.delete(path).status_code == 204
    put = {
        "email_address": "ada@mailbox.org",
        "status_if_new": "subscribed",
        "merge_fields": {"FNAME": "Ada"},
    }
    assert mc_account.client.put(path, json=put).json()["status"] == "archived"
    batch = mc_account.client.post(
        f"/lists/{list_id}",
        json={
            "members": [{"email_address": "ada@mailbox.org", "status_if_new": "subscribed"}],
            "update_existing": True,
        },
    ).json()
    assert (batch["total_updated"], batch["error_count"]) == (0, 1)
    assert mc_account.client.get(path).json()["status"] == "archived"
    assert mc_account.client.put(path, json={**put, "status": "subscribed"}).json()["status"] == "subscribed"


def test_only_a_subscribed_member_may_change_address(mc_account: McAccount) -> None:
    """Row 3. wepublish/wepublish mailchimp-contact.service.spec.ts (unsubscribed);
    ibericode/mailchimp-user-sync issue #96; two Rails code bases' fixtures record the same sentence for
    "cleaned"."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org", "bo@mailbox.org")
    mc_account.client.patch(f"/lists/{list_id}/members/ada@mailbox.org", json={"status": "unsubscribed"})
    mc_account.client.patch(f"/lists/{list_id}/members/bo@mailbox.org", json={"status": "pending"})
    for email, status in (("ada@mailbox.org", "unsubscribed"), ("bo@mailbox.org", "pending")):
        refused = _rename(mc_account, list_id, email, "new." + email)
        assert refused.status_code == 400
        assert refused.json()["title"] == "Invalid Resource"
        message = (
            f'This member\'s status is "{status}." You can only update email addresses for members with a '
            'status of "subscribed."'
        )
        assert refused.json()["errors"] == [{"field": "email address", "message": message}]


def test_an_address_that_looks_fake_is_refused_alone_and_in_a_batch(mc_account: McAccount) -> None:
    """Row 4. grouparoo/grouparoo plugins/@grouparoo/mailchimp/__tests__/fixtures/export/export-record.js
    (`foo@example.com looks fake or invalid, please enter a real email address.`); wepublish/wepublish
    (`jane.doe@gmail.vom`); VingtCinq/python-mailchimp issue #142."""
    list_id = str(mc_account.new_list()["id"])
    for fake in (
        "foo@example.com",
        "a@b.example.org",
        "x@shop.test",
        "y@nowhere.invalid",
        "jane.doe@gmail.vom",
    ):
        refused = _add(mc_account, list_id, fake)
        assert refused.status_code == 400, fake
        body = refused.json()
        assert (body["title"], body["detail"]) == ("Invalid Resource", looks_fake_detail(fake))
        assert "errors" not in body
    batch = mc_account.client.post(
        f"/lists/{list_id}",
        json={
            "members": [
                {"email_address": "foo@example.com", "status_if_new": "subscribed"},
                {"email_address": "ada@mailbox.org", "status_if_new": "subscribed"},
            ]
        },
    ).json()
    assert batch["total_created"] == 1
    assert batch["errors"][0]["email_address"] == "foo@example.com"
    assert batch["errors"][0]["error"] == looks_fake_detail("foo@example.com")
    refused_rename = _rename(mc_account, list_id, "ada@mailbox.org", "ada@gmail.con")
    assert refused_rename.json()["detail"] == looks_fake_detail("ada@gmail.con")


def test_the_control_api_marks_addresses_and_domains_fake_or_switches_the_rule_off(
    mc_account: McAccount,
) -> None:
    """Row 4: Mailchimp's own rule is private, so tests mark what it would refuse."""
    control = f"accounts/{mc_account.account_id}/readings"
    mc_account.emulator.control(
        "PUT", control, {"fake_addresses": ["Mickey@Mailbox.org"], "fake_domains": ["spam.biz"]}
    )
    list_id = str(mc_account.new_list()["id"])
    assert _add(mc_account, list_id, "mickey@mailbox.org").status_code == 400
    assert _add(mc_account, list_id, "x@mail.spam.biz").status_code == 400
    assert _add(mc_account, list_id, "minnie@mailbox.org").status_code == 200
    mc_account.emulator.control("PUT", control, {"refuse_fake_addresses": False})
    assert _add(mc_account, list_id, "foo@example.com").status_code == 200


def test_post_on_an_archived_address_re_adds_the_same_member(mc_account: McAccount) -> None:
    """Row 5. grouparoo/grouparoo plugins/@grouparoo/mailchimp/__tests__/fixtures/export/export-record.js
    (archive, then POST → 200 subscribed) and
    __tests__/fixtures/integration/mailchimpExportContactsById.js."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org")
    path = f"/lists/{list_id}/members/{subscriber_hash('ada@mailbox.org')}"
    mc_account.client.patch(path, json={"merge_fields": {"FNAME": "Ada"}})
    mc_account.client.post(path + "/tags", json={"tags": [{"name": "Donor", "status": "active"}]})
    before = mc_account.client.get(path).json()
    mc_account.client.delete(path)
    again = _add(mc_account, list_id, "ada@mailbox.org")
    assert again.status_code == 200, again.text
    after = again.json()
    assert after["status"] == "subscribed"
    assert (after["id"], after["unique_email_id"]) == (before["id"], before["unique_email_id"])
    assert after["merge_fields"]["FNAME"] == "Ada"
    assert [tag["name"] for tag in after["tags"]] == ["Donor"]


def test_put_with_a_differing_body_address_creates_it_or_is_member_exists(mc_account: McAccount) -> None:
    """Row 6. grouparoo/grouparoo __tests__/fixtures/export/export-record.js: PUT on a hash nobody holds
    creates the body's address; Member Exists when the body's address is held."""
    list_id = _new_list_with(mc_account, "held@mailbox.org")
    nobody = f"/lists/{list_id}/members/{subscriber_hash('nobody@mailbox.org')}"
    created = mc_account.client.put(
        nobody, json={"email_address": "new@mailbox.org", "status_if_new": "subscribed"}
    )
    assert created.status_code == 200
    assert created.json()["id"] == subscriber_hash("new@mailbox.org")
    clash = mc_account.client.put(
        nobody, json={"email_address": "held@mailbox.org", "status_if_new": "subscribed"}
    )
    assert clash.status_code == 400
    assert clash.json()["title"] == "Member Exists"


def test_a_renamed_member_gets_a_new_unique_email_id_and_keeps_web_and_contact_id(
    mc_account: McAccount,
) -> None:
    """Row 7. grouparoo/grouparoo __tests__/fixtures/export/export-record.js: after the address change the
    member's unique_email_id differs, web_id and contact_id stay."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org")
    before = _member(mc_account, list_id, "ada@mailbox.org")
    after = _rename(mc_account, list_id, "ada@mailbox.org", "ada@posteo.de").json()
    assert after["unique_email_id"] != before["unique_email_id"]
    assert (after["web_id"], after["contact_id"]) == (before["web_id"], before["contact_id"])


def test_an_api_re_subscribe_keeps_timestamp_opt_and_a_re_add_resets_it(mc_account: McAccount) -> None:
    """Row 8. grouparoo/grouparoo __tests__/fixtures/export/export-record.js (unsubscribed → subscribed keeps
    the first timestamp_opt; archived then re-added gets a new one)."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org")
    store = mc_account.emulator.store
    member = store.lists[list_id].members[subscriber_hash("ada@mailbox.org")]
    first_opt = member.timestamp_opt = member.timestamp_opt.replace(year=2020)  # type: ignore[union-attr]
    path = f"/lists/{list_id}/members/{subscriber_hash('ada@mailbox.org')}"
    mc_account.client.patch(path, json={"status": "unsubscribed"})
    assert mc_account.client.patch(path, json={"status": "subscribed"}).json()["status"] == "subscribed"
    assert member.timestamp_opt == first_opt
    mc_account.client.delete(path)
    _add(mc_account, list_id, "ada@mailbox.org")
    assert member.timestamp_opt is not None and member.timestamp_opt > first_opt


def test_an_invalid_address_has_no_errors_array_and_contact_exists_reads_as_recorded(
    mc_account: McAccount,
) -> None:
    """Row 9. grouparoo/grouparoo __tests__/fixtures/export/export-record.js ("AAAAA" → `Please provide a
    valid email address.`, no errors); public clients compare `… please provide update_existing:true in the
    request body` verbatim (e.g. a PHP test asserting getFailedUpdates()[0]->error)."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org")
    invalid = _add(mc_account, list_id, "AAAAA").json()
    assert (invalid["title"], invalid["detail"]) == (
        "Invalid Resource",
        "Please provide a valid email address.",
    )
    assert "errors" not in invalid
    batch = mc_account.client.post(
        f"/lists/{list_id}", json={"members": [{"email_address": "ada@mailbox.org", "status": "subscribed"}]}
    ).json()
    assert batch["errors"][0]["error"] == (
        "ada@mailbox.org is already a list member, do you want to update? "
        "please provide update_existing:true in the request body"
    )


def _tag_names(account: McAccount, list_id: str, email: str) -> set[str]:
    return {tag["name"] for tag in _member(account, list_id, email)["tags"]}


def test_batch_subscribe_adds_an_entrys_tags_to_a_member_already_present(mc_account: McAccount) -> None:
    """Row 13. Mailchimp's release note "Added ability to sync tags to existing members" (2022-01-24,
    mailchimp.com/developer/release-notes/added-ability-sync-tags-existing-members/): "When syncing members
    in bulk via the Lists endpoint, tags are now properly added to existing members"; ``sync_tags``
    replaces them instead."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org", "bob@mailbox.org")
    mc_account.client.post(
        f"/lists/{list_id}/members/{subscriber_hash('bob@mailbox.org')}/tags",
        json={"tags": [{"name": "Made in Mailchimp", "status": "active"}]},
    )

    def batch(email: str, tags: list[str], **options: bool) -> None:
        members = [{"email_address": email, "status_if_new": "subscribed", "tags": tags}]
        answer = mc_account.client.post(f"/lists/{list_id}", json={"members": members, **options})
        assert answer.json()["total_updated"] == 1

    batch("ada@mailbox.org", ["Donors"], update_existing=True)
    batch("bob@mailbox.org", ["Donors"], update_existing=True)
    assert _tag_names(mc_account, list_id, "ada@mailbox.org") == {"Donors"}
    assert _tag_names(mc_account, list_id, "bob@mailbox.org") == {"Donors", "Made in Mailchimp"}

    batch("bob@mailbox.org", ["Volunteers"], update_existing=True, sync_tags=True)
    assert _tag_names(mc_account, list_id, "bob@mailbox.org") == {"Volunteers"}


def test_put_and_patch_ignore_tags_on_a_member_already_present(mc_account: McAccount) -> None:
    """Row 14. The Members endpoints take ``tags`` only when they create the member: ibericode/mailchimp-for-
    wordpress issue #674 (the maintainer: "the Mailchimp API only accepts the tags property when the
    subscriber is not already on the list", PATCH); amro/gibbon issue #274 ("Tags only saved when upserting
    and if a member doesn't exist"); the 2022-01-24 release note fixed it for the Lists endpoint only; the
    spec's PUT and PATCH bodies declare no ``tags``."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org")
    path = f"/lists/{list_id}/members/{subscriber_hash('ada@mailbox.org')}"

    patched = mc_account.client.patch(path, json={"tags": ["Donors"]})
    put = mc_account.client.put(path, json={"email_address": "ada@mailbox.org", "tags": ["Donors"]})
    created = mc_account.client.put(
        f"/lists/{list_id}/members/{subscriber_hash('cy@mailbox.org')}",
        json={"email_address": "cy@mailbox.org", "status_if_new": "subscribed", "tags": ["Donors"]},
    )

    assert (patched.status_code, put.status_code, created.status_code) == (200, 200, 200)
    assert _tag_names(mc_account, list_id, "ada@mailbox.org") == set()
    assert _tag_names(mc_account, list_id, "cy@mailbox.org") == {"Donors"}


def test_the_default_listing_leaves_archived_members_out_unless_switched(mc_account: McAccount) -> None:
    """Probably true: jethro-pmm's fix (issue #708) only works if the default listing omits archived
    members; brandonseydel/MailChimp.Net issue #529 asks how to list them. Switchable for both readings."""
    list_id = _new_list_with(mc_account, "ada@mailbox.org", "bob@mailbox.org")
    mc_account.client.delete(f"/lists/{list_id}/members/{subscriber_hash('bob@mailbox.org')}")

    def listed(**params: str) -> list[str]:
        members = mc_account.client.get(f"/lists/{list_id}/members", params=params).json()["members"]
        return sorted(m["email_address"] for m in members)

    assert listed() == ["ada@mailbox.org"]
    assert listed(status="archived") == ["bob@mailbox.org"]
    mc_account.emulator.control(
        "PUT", f"accounts/{mc_account.account_id}/readings", {"listing_includes_archived": True}
    )
    assert listed() == ["ada@mailbox.org", "bob@mailbox.org"]


def test_a_throttling_fault_can_answer_403_without_a_json_body(emulator_factory: Factory) -> None:
    """Probably true: Mailchimp's docs (mirror quoted in ../shared/mailchimp/API-NOTES.md §4): "at
    exceptionally high volumes … 429 or 403 without a JSON body"."""
    running = emulator_factory()
    account = account_on(running)
    running.control("PUT", "faults", {"throttle_rate": 1.0, "throttle_status": 403})
    with running.api_client(account.api_key, hooks=False) as raw:
        throttled = raw.get("/ping")
    assert throttled.status_code == 403
    assert not throttled.headers["content-type"].startswith("application/")
    running.control("PUT", "faults", {})
    assert account.client.get("/ping").status_code == 200
