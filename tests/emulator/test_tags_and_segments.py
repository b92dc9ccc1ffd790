"""Member tags, tag search, and static segments (which are tags) with batch add/remove."""

from __future__ import annotations

from mailchimp_emulator.hashing import subscriber_hash
from tests.support.emulator import McAccount


def _list_with(account: McAccount, *emails: str) -> str:
    list_id = str(account.new_list()["id"])
    members = [{"email_address": email, "status": "subscribed"} for email in emails]
    assert account.client.post(f"/lists/{list_id}", json={"members": members}).status_code == 200
    return list_id


def test_tags_are_added_and_removed_by_status(mc_account: McAccount) -> None:
    list_id = _list_with(mc_account, "a@mailbox.org")
    tags_url = f"/lists/{list_id}/members/{subscriber_hash('a@mailbox.org')}/tags"
    body = {
        "tags": [{"name": "Volunteer", "status": "active"}, {"name": "Donor", "status": "active"}],
        "is_syncing": True,
    }
    assert mc_account.client.post(tags_url, json=body).status_code == 204
    mc_account.client.post(tags_url, json={"tags": [{"name": "Donor", "status": "inactive"}]})
    tags = mc_account.client.get(tags_url).json()
    assert [t["name"] for t in tags["tags"]] == ["Volunteer"]
    assert tags["total_items"] == 1


def test_tagging_an_unknown_member_is_404(mc_account: McAccount) -> None:
    list_id = _list_with(mc_account)
    response = mc_account.client.post(f"/lists/{list_id}/members/{'0' * 32}/tags", json={"tags": []})
    assert response.status_code == 404


def test_tag_search_matches_a_prefix(mc_account: McAccount) -> None:
    list_id = _list_with(mc_account, "a@mailbox.org")
    body = {"tags": [{"name": n, "status": "active"} for n in ("Volunteer", "Voter", "Donor")]}
    mc_account.client.post(f"/lists/{list_id}/members/a@mailbox.org/tags", json=body)
    found = mc_account.client.get(f"/lists/{list_id}/tag-search", params={"name": "vo"}).json()
    assert sorted(t["name"] for t in found["tags"]) == ["Volunteer", "Voter"]


def test_a_static_segment_is_a_tag_holding_the_listed_members(mc_account: McAccount) -> None:
    list_id = _list_with(mc_account, "a@mailbox.org", "b@mailbox.org")
    segment = mc_account.client.post(
        f"/lists/{list_id}/segments",
        json={"name": "Core", "static_segment": ["a@mailbox.org", "stranger@mailbox.org"]},
    ).json()
    assert (segment["type"], segment["member_count"]) == ("static", 1)
    member = mc_account.client.get(f"/lists/{list_id}/members/a@mailbox.org").json()
    assert member["tags"] == [{"id": segment["id"], "name": "Core"}]


def test_segment_batch_add_and_remove(mc_account: McAccount) -> None:
    list_id = _list_with(mc_account, "a@mailbox.org", "b@mailbox.org")
    segment = mc_account.client.post(
        f"/lists/{list_id}/segments", json={"name": "Core", "static_segment": []}
    ).json()
    url = f"/lists/{list_id}/segments/{segment['id']}"
    added = mc_account.client.post(url, json={"members_to_add": ["a@mailbox.org", "b@mailbox.org"]}).json()
    assert added["total_added"] == 2
    removed = mc_account.client.post(
        url, json={"members_to_remove": ["b@mailbox.org", "ghost@mailbox.org"]}
    ).json()
    assert removed["total_removed"] == 1
    assert removed["errors"][0]["email_addresses"] == ["ghost@mailbox.org"]
    members = mc_account.client.get(f"{url}/members").json()
    assert [m["email_address"] for m in members["members"]] == ["a@mailbox.org"]


def test_one_segment_member_can_be_added_and_removed(mc_account: McAccount) -> None:
    list_id = _list_with(mc_account, "a@mailbox.org")
    segment = mc_account.client.post(
        f"/lists/{list_id}/segments", json={"name": "Core", "static_segment": []}
    ).json()
    url = f"/lists/{list_id}/segments/{segment['id']}/members"
    assert mc_account.client.post(url, json={"email_address": "a@mailbox.org"}).status_code == 200
    assert mc_account.client.delete(f"{url}/{subscriber_hash('a@mailbox.org')}").status_code == 204
    assert mc_account.client.get(f"/lists/{list_id}/segments/{segment['id']}").json()["member_count"] == 0


def test_deleting_a_segment_removes_the_tag_from_members(mc_account: McAccount) -> None:
    list_id = _list_with(mc_account, "a@mailbox.org")
    segment = mc_account.client.post(
        f"/lists/{list_id}/segments", json={"name": "Core", "static_segment": ["a@mailbox.org"]}
    ).json()
    assert mc_account.client.delete(f"/lists/{list_id}/segments/{segment['id']}").status_code == 204
    assert mc_account.client.get(f"/lists/{list_id}/members/a@mailbox.org").json()["tags_count"] == 0


def test_the_segment_listing_counts_each_segments_members_and_leaves_the_count_out_when_not_asked(
    mc_account: McAccount,
) -> None:
    list_id = _list_with(mc_account, "a@mailbox.org", "b@mailbox.org", "c@mailbox.org")
    url = f"/lists/{list_id}/segments"
    mc_account.client.post(url, json={"name": "Core", "static_segment": ["a@mailbox.org", "b@mailbox.org"]})
    mc_account.client.post(url, json={"name": "Donors", "static_segment": ["b@mailbox.org"]})
    mc_account.client.post(url, json={"name": "Empty", "static_segment": []})

    listed = mc_account.client.get(url).json()["segments"]
    trimmed = mc_account.client.get(url, params={"fields": "segments.id,segments.name"}).json()
    without = mc_account.client.get(url, params={"exclude_fields": "segments.member_count"}).json()

    assert {s["name"]: s["member_count"] for s in listed} == {"Core": 2, "Donors": 1, "Empty": 0}
    assert trimmed["segments"] == [{"id": s["id"], "name": s["name"]} for s in listed]
    assert all("member_count" not in s and "name" in s for s in without["segments"])
