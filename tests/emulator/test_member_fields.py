"""Member bodies: merge field validation, the member shape, listing with fields, filters and paging."""

from __future__ import annotations

from mailchimp_emulator.hashing import subscriber_hash
from tests.support.emulator import McAccount


def _new_member(account: McAccount, list_id: str, email: str, **body: object) -> dict[str, object]:
    response = account.client.post(
        f"/lists/{list_id}/members", json={"email_address": email, "status": "subscribed", **body}
    )
    assert response.status_code == 200, response.text
    created: dict[str, object] = response.json()
    return created


def test_a_bad_merge_value_is_invalid_resource_naming_the_field(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    mc_account.client.post(
        f"/lists/{list_id}/merge-fields", json={"name": "Lifetime value", "type": "number", "tag": "LTV"}
    )
    response = mc_account.client.post(
        f"/lists/{list_id}/members",
        json={
            "email_address": "a@mailbox.org",
            "status": "subscribed",
            "merge_fields": {"LTV": "lots", "ADDRESS": {"addr1": "x"}},
        },
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["detail"] == "Your merge fields were invalid."
    assert {e["field"]: e["message"] for e in problem["errors"]} == {
        "LTV": "Please enter a number",
        "ADDRESS": "Please enter a complete address",
    }
    assert mc_account.client.get(f"/lists/{list_id}/members/a@mailbox.org").status_code == 404


def test_unknown_merge_tags_are_ignored_and_every_field_is_shown(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    address = {"addr1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701"}
    member = _new_member(
        mc_account, list_id, "a@mailbox.org", merge_fields={"FNAME": "Ada", "NOPE": 1, "ADDRESS": address}
    )
    merges = member["merge_fields"]
    assert isinstance(merges, dict)
    assert merges["FNAME"] == "Ada" and merges["LNAME"] == "" and merges["PHONE"] == ""
    assert merges["ADDRESS"] == {**address, "addr2": "", "country": "US"}
    assert "NOPE" not in merges
    assert member["full_name"] == "Ada"


def test_a_member_shows_its_interests_once_the_list_has_groups(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    category = mc_account.client.post(
        f"/lists/{list_id}/interest-categories", json={"title": "Topics", "type": "checkboxes"}
    ).json()
    interest = mc_account.client.post(
        f"/lists/{list_id}/interest-categories/{category['id']}/interests", json={"name": "Housing"}
    ).json()
    member = _new_member(mc_account, list_id, "a@mailbox.org", interests={interest["id"]: True})
    assert member["interests"] == {interest["id"]: True}
    counted = mc_account.client.get(
        f"/lists/{list_id}/interest-categories/{category['id']}/interests/{interest['id']}"
    )
    assert counted.json()["subscriber_count"] == "1"


def test_fields_keeps_only_the_named_dot_paths(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    _new_member(mc_account, list_id, "a@mailbox.org")
    body = mc_account.client.get(
        f"/lists/{list_id}/members", params={"fields": "members.id,members.status,total_items"}
    ).json()
    assert body == {
        "members": [{"id": subscriber_hash("a@mailbox.org"), "status": "subscribed"}],
        "total_items": 1,
    }


def test_exclude_fields_drops_the_named_dot_paths(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    _new_member(mc_account, list_id, "a@mailbox.org")
    body = mc_account.client.get(
        f"/lists/{list_id}/members", params={"exclude_fields": "members._links,members.merge_fields,_links"}
    ).json()
    assert "_links" not in body
    assert "merge_fields" not in body["members"][0] and "_links" not in body["members"][0]
    assert body["members"][0]["email_address"] == "a@mailbox.org"


def test_members_page_with_count_and_offset(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    emails = [f"m{n}@mailbox.org" for n in range(5)]
    for email in emails:
        _new_member(mc_account, list_id, email)
    page = mc_account.client.get(f"/lists/{list_id}/members", params={"count": 2, "offset": 2}).json()
    assert page["total_items"] == 5
    assert [m["email_address"] for m in page["members"]] == emails[2:4]
    assert (
        len(mc_account.client.get(f"/lists/{list_id}/members", params={"count": 5000}).json()["members"]) == 5
    )


def test_members_filter_by_status_including_archived(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    _new_member(mc_account, list_id, "keep@mailbox.org")
    _new_member(mc_account, list_id, "gone@mailbox.org")
    mc_account.client.delete(f"/lists/{list_id}/members/gone@mailbox.org")
    archived = mc_account.client.get(f"/lists/{list_id}/members", params={"status": "archived"}).json()
    assert [m["email_address"] for m in archived["members"]] == ["gone@mailbox.org"]


def test_members_changed_since_a_moment_are_found_in_last_changed_order(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    for email in ("old@mailbox.org", "b@mailbox.org", "a@mailbox.org"):
        _new_member(mc_account, list_id, email)
    members = mc_account.emulator.store.lists[list_id].members
    old = members[subscriber_hash("old@mailbox.org")]
    old.last_changed = old.last_changed.replace(year=2020)
    members[subscriber_hash("a@mailbox.org")].last_changed = old.last_changed.replace(year=2021)
    found = mc_account.client.get(
        f"/lists/{list_id}/members",
        params={
            "since_last_changed": "2021-01-01T00:00:00+00:00",
            "sort_field": "last_changed",
            "sort_dir": "ASC",
        },
    ).json()
    assert [m["email_address"] for m in found["members"]] == ["a@mailbox.org", "b@mailbox.org"]


def test_members_who_opted_in_since_a_moment_are_found(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    for email in ("early@mailbox.org", "late@mailbox.org"):
        _new_member(mc_account, list_id, email)
    members = mc_account.emulator.store.lists[list_id].members
    early = members[subscriber_hash("early@mailbox.org")]
    assert early.timestamp_opt is not None
    early.timestamp_opt = early.timestamp_opt.replace(year=2020)
    moment = "2021-01-01T00:00:00+00:00"

    since = mc_account.client.get(f"/lists/{list_id}/members", params={"since_timestamp_opt": moment})
    before = mc_account.client.get(f"/lists/{list_id}/members", params={"before_timestamp_opt": moment})

    assert [m["email_address"] for m in since.json()["members"]] == ["late@mailbox.org"]
    assert [m["email_address"] for m in before.json()["members"]] == ["early@mailbox.org"]
