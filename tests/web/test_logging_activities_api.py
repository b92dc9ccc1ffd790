"""Notes, calls, meetings and emails logged by a person over the REST API: the type in words beside the
stored word, the time kept in UTC, and the token's user credited."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _contact(api: TestClient) -> int:
    return int(api.post("/contacts", json={"first_name": "Ada"}).json()["id"])


def test_a_call_logged_over_the_api_says_when_who_and_its_type_in_words(api: TestClient) -> None:
    contact_id = _contact(api)
    body = {"type": "call", "subject": "Rang about the gala", "occurred_at": "2026-03-31T15:00:00+01:00"}
    logged = api.post(f"/contacts/{contact_id}/activities", json=body)
    assert logged.status_code == 201, logged.text
    made = logged.json()
    assert (made["type"], made["type_label"], made["subject"]) == ("call", "Call", "Rang about the gala")
    assert made["occurred_at"].startswith("2026-03-31T14:00:00")
    assert made["source"] == "staff@mailbox.org"
    listed = api.get(f"/contacts/{contact_id}/activities").json()["items"]
    assert [(a["id"], a["type_label"]) for a in listed] == [(made["id"], "Call")]


def test_the_api_refuses_an_unknown_type_empty_words_a_time_without_zone_and_a_missing_contact(
    api: TestClient,
) -> None:
    contact_id = _contact(api)
    url = f"/contacts/{contact_id}/activities"
    unknown = api.post(url, json={"type": "email_sent", "subject": "x"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "type"]
    blank = api.post(url, json={"type": "note", "subject": "   "})
    assert blank.status_code == 422 and "subject" in blank.text
    naive = api.post(url, json={"type": "note", "subject": "x", "occurred_at": "2026-03-31T15:00:00"})
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"] == ["body", "occurred_at"]
    assert api.post("/contacts/999999/activities", json={"type": "note", "subject": "x"}).status_code == 404
    assert api.get(url).json()["total"] == 0
