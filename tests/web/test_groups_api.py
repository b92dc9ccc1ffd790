"""Groups and memberships over the API: removing keeps a past group; rejoining starts a new stint."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def _contact(api: TestClient) -> int:
    return int(api.post("/contacts", json={"first_name": "Ada"}).json()["id"])


def _group(api: TestClient, name: str = "Volunteers") -> int:
    response = api.post("/groups", json={"name": name})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_groups_are_created_listed_renamed_and_deleted(api: TestClient) -> None:
    group_id = _group(api)
    _group(api, "Donors")
    assert api.get("/groups", params={"limit": 1}).json()["total"] == 2
    assert api.patch(f"/groups/{group_id}", json={"name": "Helpers"}).json()["name"] == "Helpers"
    assert api.post("/groups", json={"name": "Helpers"}).status_code == 409
    assert api.delete(f"/groups/{group_id}").status_code == 204
    assert api.get(f"/groups/{group_id}").status_code == 404


@pytest.mark.slow
def test_members_are_added_and_listed_with_unknown_ids_reported(api: TestClient) -> None:
    group_id, contact_id = _group(api), _contact(api)
    result = api.post(f"/groups/{group_id}/members", json={"contact_ids": [contact_id, 999]}).json()
    assert (result["added"], result["unknown"]) == ([contact_id], [999])
    members = api.get(f"/groups/{group_id}/members").json()
    assert members["total"] == 1 and members["items"][0]["contact_id"] == contact_id
    assert api.get(f"/groups/{group_id}").json()["member_count"] == 1


def test_a_removed_member_shows_a_past_group_and_can_rejoin(api: TestClient) -> None:
    group_id, contact_id = _group(api), _contact(api)
    api.post(f"/groups/{group_id}/members", json={"contact_ids": [contact_id]})
    assert api.delete(f"/groups/{group_id}/members/{contact_id}").json()["removed"] == [contact_id]

    contact = api.get(f"/contacts/{contact_id}").json()
    assert contact["groups"] == []
    [past] = contact["past_groups"]
    assert (past["group_id"], past["group_name"], past["status"]) == (group_id, "Volunteers", "removed")
    assert past["label"] == "Removed (by API)"
    assert past["added_at"] and past["removed_at"]

    rejoined = api.post(f"/memberships/{past['membership_id']}/rejoin")
    assert rejoined.status_code == 201 and rejoined.json()["status"] == "added"
    contact = api.get(f"/contacts/{contact_id}").json()
    assert [g["group_id"] for g in contact["groups"]] == [group_id]
    assert [p["membership_id"] for p in contact["past_groups"]] == [past["membership_id"]]
    assert api.post(f"/memberships/{past['membership_id']}/rejoin").status_code == 409


def test_members_can_be_removed_in_bulk_with_a_reason(api: TestClient) -> None:
    group_id, first, second = _group(api), _contact(api), _contact(api)
    api.post(f"/groups/{group_id}/members", json={"contact_ids": [first, second]})
    body = {"contact_ids": [first, second], "reason": "moved away"}
    assert sorted(api.post(f"/groups/{group_id}/members/remove", json=body).json()["removed"]) == [
        first,
        second,
    ]
    assert api.get(f"/contacts/{first}").json()["past_groups"][0]["removed_reason"] == "moved away"


def test_a_past_membership_can_be_deleted_but_a_current_one_cannot(api: TestClient) -> None:
    group_id, contact_id = _group(api), _contact(api)
    api.post(f"/groups/{group_id}/members", json={"contact_ids": [contact_id]})
    current = api.get(f"/contacts/{contact_id}").json()["groups"][0]["membership_id"]
    assert api.delete(f"/memberships/{current}").status_code == 409
    api.delete(f"/groups/{group_id}/members/{contact_id}")
    assert api.delete(f"/memberships/{current}").status_code == 204
    assert api.get(f"/contacts/{contact_id}").json()["past_groups"] == []


def test_adding_members_needs_at_least_one_contact_id(api: TestClient) -> None:
    response = api.post(f"/groups/{_group(api)}/members", json={"contact_ids": []})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "contact_ids"]


def test_everyone_a_saved_search_finds_joins_a_group_in_one_call(api: TestClient) -> None:
    lees = [
        api.post("/contacts", json={"first_name": n, "last_name": "Lee"}).json()["id"] for n in ("A", "B")
    ]
    api.post("/contacts", json={"first_name": "C", "last_name": "Ng"})
    search = {"name": "Lees", "filter": {"all": [{"field": "last_name", "op": "eq", "value": "Lee"}]}}
    search_id = api.post("/saved-searches", json=search).json()["id"]
    group_id = _group(api)

    result = api.post(f"/groups/{group_id}/members/from-search", json={"search_id": search_id})
    unknown = api.post(f"/groups/{group_id}/members/from-search", json={"search_id": 99999})

    assert result.status_code == 200 and sorted(result.json()["added"]) == sorted(lees)
    assert unknown.status_code == 404
    assert sorted(m["contact_id"] for m in api.get(f"/groups/{group_id}/members").json()["items"]) == sorted(
        lees
    )
