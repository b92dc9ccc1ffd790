"""Contributions, a contact's history (activities, change log), saved searches and settings over the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from constituent.crm.activities.service import record_activity
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase


def _contact(api: TestClient, **fields: object) -> int:
    return int(api.post("/contacts", json={"first_name": "Ada", **fields}).json()["id"])


def test_contributions_are_created_listed_changed_and_deleted(api: TestClient) -> None:
    contact_id = _contact(api)
    body = {"contact_id": contact_id, "amount": "25.50", "currency": "usd", "received_on": "2024-03-01"}
    created = api.post("/contributions", json=body)
    assert created.status_code == 201
    gift = created.json()
    assert (gift["amount"], gift["currency"]) == ("25.50", "USD")

    changed = api.patch(f"/contributions/{gift['id']}", json={"designation": "Building fund"})
    assert changed.json()["designation"] == "Building fund"
    listed = api.get("/contributions", params={"contact_id": contact_id}).json()
    assert (listed["total"], listed["items"][0]["id"]) == (1, gift["id"])

    assert api.delete(f"/contributions/{gift['id']}").status_code == 204
    assert api.get(f"/contributions/{gift['id']}").status_code == 404


def test_a_contribution_needs_a_positive_amount_and_a_known_contact(api: TestClient) -> None:
    contact_id = _contact(api)
    zero = api.post(
        "/contributions", json={"contact_id": contact_id, "amount": "0", "received_on": "2024-01-01"}
    )
    assert zero.status_code == 422 and zero.json()["detail"][0]["loc"] == ["body", "amount"]
    ghost = api.post("/contributions", json={"contact_id": 404, "amount": "5", "received_on": "2024-01-01"})
    assert ghost.status_code == 404


def test_a_contacts_activities_are_paged_newest_first(api: TestClient, db: TestDatabase) -> None:
    contact_id = _contact(api)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with session_scope(db.sessions) as session:
        for day in range(3):
            record_activity(session, contact_id, "note", f"day {day}", start + timedelta(days=day))
    page = api.get(f"/contacts/{contact_id}/activities", params={"limit": 2}).json()
    assert page["total"] == 3
    assert [a["subject"] for a in page["items"]] == ["day 2", "day 1"]
    latest = api.get(f"/contacts/{contact_id}").json()["activities"]
    assert [a["subject"] for a in latest] == ["day 2", "day 1", "day 0"]


def test_the_change_log_shows_who_changed_what(api: TestClient) -> None:
    contact_id = _contact(api)
    api.patch(f"/contacts/{contact_id}", json={"city": "Leeds"})
    changes = api.get(f"/contacts/{contact_id}/changes").json()["items"]
    city = next(c for c in changes if c["field"] == "city")
    assert (city["old_value"], city["new_value"]) == ("", "Leeds")
    assert city["changed_by"].startswith("api:token-")
    assert api.get("/contacts/404/changes").status_code == 404


def test_a_saved_search_is_created_run_and_deleted(api: TestClient) -> None:
    leeds = _contact(api, city="Leeds")
    _contact(api, city="York")
    body = {"name": "Leeds people", "filter": {"field": "city", "op": "eq", "value": "Leeds"}}
    created = api.post("/saved-searches", json=body)
    assert created.status_code == 201, created.text
    search_id = created.json()["id"]

    matches = api.get(f"/saved-searches/{search_id}/contacts").json()
    assert (matches["items"], matches["total"]) == ([leeds], 1)
    smart = api.get(f"/contacts/{leeds}").json()["smart_groups"]
    assert "Leeds people" in [s["name"] for s in smart]
    assert "Leeds people" in [s["name"] for s in api.get("/saved-searches").json()["items"]]

    assert api.delete(f"/saved-searches/{search_id}").status_code == 204
    assert api.get(f"/saved-searches/{search_id}").status_code == 404


def test_a_bad_filter_is_a_422_pointing_into_the_filter(api: TestClient) -> None:
    body = {"name": "Broken", "filter": {"all": [{"field": "shoe_size", "op": "eq", "value": 9}]}}
    response = api.post("/saved-searches", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "filter", "all"]


def test_organization_settings_reject_a_bad_sender_naming_the_field(admin_api: TestClient) -> None:
    response = admin_api.put("/organization", json={"from_email": "not an email"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "from_email"]
