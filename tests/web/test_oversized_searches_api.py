"""The API and a saved search beyond the size limit (issue 13, item 5): 422 naming the limit, and one
stored before the limit existed never breaks reading or creating contacts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from constituent.crm.searches.filters import MAX_CONDITIONS
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.crm.searches.oversized import huge_filter, store_unchecked


def test_saving_a_search_beyond_the_limit_is_a_422_naming_the_limit(api: TestClient) -> None:
    response = api.post("/saved-searches", json={"name": "Everywhere", "filter": huge_filter()})
    assert response.status_code == 422, response.text
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["body", "filter"]
    assert f"at most {MAX_CONDITIONS} conditions" in detail["msg"]
    assert "Everywhere" not in [s["name"] for s in api.get("/saved-searches").json()["items"]]


def test_a_stored_oversized_search_never_breaks_creating_or_reading_contacts(
    api: TestClient, db: TestDatabase
) -> None:
    with session_scope(db.sessions) as session:
        search_id = store_unchecked(session, "Everywhere", {"any": huge_filter()["all"]})

    created = api.post("/contacts", json={"first_name": "Ann", "city": "Town 3"})
    assert created.status_code == 201, created.text
    read = api.get(f"/contacts/{created.json()['id']}")
    assert read.status_code == 200, read.text
    assert "Everywhere" not in [s["name"] for s in read.json()["smart_groups"]]
    assert api.get("/contacts").status_code == 200

    ran = api.get(f"/saved-searches/{search_id}/contacts")
    assert ran.status_code == 422, ran.text
    assert f"at most {MAX_CONDITIONS} conditions" in ran.json()["detail"][0]["msg"]
