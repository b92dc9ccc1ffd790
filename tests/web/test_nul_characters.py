"""A NUL character anywhere in a request is a 422 before any handler runs (found by bench/fuzz.py on
PostgreSQL: a tag prefix of "\\u0000" answered 500, since PostgreSQL text cannot hold NUL)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_nul_in_a_json_body_is_a_422_and_nothing_is_stored(admin_api: TestClient) -> None:
    response = admin_api.post("/contacts", json={"first_name": "An\x00n"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body"]
    assert admin_api.get("/contacts").json()["total"] == 0


def test_a_nul_in_the_query_is_a_422(admin_api: TestClient) -> None:
    response = admin_api.get("/contacts", params={"search": "a\x00b"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query"]


def test_a_percent_sign_followed_by_zeros_in_json_is_just_text(admin_api: TestClient) -> None:
    created = admin_api.post("/contacts", json={"first_name": "100%00"})
    assert created.status_code == 201, created.text
