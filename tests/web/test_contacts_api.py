"""Contacts over the API: create, read, change, delete, list with filters and pages, emails, 422s."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def _create(api: TestClient, first_name: str, *emails: str) -> dict[str, Any]:
    body = {"first_name": first_name, "emails": [{"address": e} for e in emails]}
    response = api.post("/contacts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.mark.slow
def test_a_contact_is_created_read_changed_and_deleted(api: TestClient) -> None:
    created = _create(api, "Ada", "ada@mailbox.org")
    assert created["emails"][0]["is_primary"] is True
    assert api.get(f"/contacts/{created['id']}").json()["display_name"] == "Ada"

    changed = api.patch(f"/contacts/{created['id']}", json={"last_name": "Lovelace", "city": "London"})
    assert changed.status_code == 200
    assert (changed.json()["display_name"], changed.json()["city"]) == ("Ada Lovelace", "London")

    deleted = api.delete(f"/contacts/{created['id']}")
    assert (deleted.status_code, deleted.json()) == (200, {"deleted": created["id"], "mailchimp": []})
    assert api.get(f"/contacts/{created['id']}").status_code == 404


def test_a_contact_shows_its_groups_smart_groups_past_groups_and_activities(api: TestClient) -> None:
    contact = api.get(f"/contacts/{_create(api, 'Ada')['id']}").json()
    assert {"groups", "smart_groups", "past_groups", "activities", "emails"} <= contact.keys()
    assert "New contacts" in [s["name"] for s in contact["smart_groups"]]


def test_contacts_list_in_pages_with_a_total(api: TestClient) -> None:
    for n in range(5):
        _create(api, f"Person {n}")
    page = api.get("/contacts", params={"limit": 2, "offset": 2}).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (5, 2, 2, 2)


def test_contacts_can_be_found_by_email_or_by_text(api: TestClient) -> None:
    _create(api, "Ada", "ada@mailbox.org")
    _create(api, "Grace", "grace@navy.co.uk")
    by_email = api.get("/contacts", params={"email": "GRACE@navy.co.uk"}).json()
    by_text = api.get("/contacts", params={"search": "ada"}).json()
    assert [c["first_name"] for c in by_email["items"]] == ["Grace"]
    assert [c["first_name"] for c in by_text["items"]] == ["Ada"]


def test_a_bad_email_is_a_422_naming_the_field(api: TestClient) -> None:
    response = api.post("/contacts", json={"first_name": "Ada", "emails": [{"address": "ada@"}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "emails", 0, "address"]


def test_a_wrongly_typed_field_is_a_422_naming_the_field(api: TestClient) -> None:
    response = api.post("/contacts", json={"first_name": "Ada", "kind": "alien"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "kind"]


def test_an_out_of_range_page_size_is_a_422_naming_the_parameter(api: TestClient) -> None:
    response = api.get("/contacts", params={"limit": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


def test_emails_are_added_changed_made_primary_and_removed(api: TestClient) -> None:
    contact = _create(api, "Ada", "ada@mailbox.org")
    added = api.post(f"/contacts/{contact['id']}/emails", json={"address": "ada@work.co.uk"})
    assert added.status_code == 201 and added.json()["is_primary"] is False
    email_id = added.json()["id"]

    assert api.patch(f"/emails/{email_id}", json={"status": "bounced"}).json()["status"] == "bounced"
    assert api.post(f"/emails/{email_id}/set-primary").json()["is_primary"] is True
    primaries = [e for e in api.get(f"/contacts/{contact['id']}").json()["emails"] if e["is_primary"]]
    assert [e["address"] for e in primaries] == ["ada@work.co.uk"]

    assert api.delete(f"/emails/{email_id}").status_code == 204
    remaining = api.get(f"/contacts/{contact['id']}").json()["emails"]
    assert [(e["address"], e["is_primary"]) for e in remaining] == [("ada@mailbox.org", True)]


def test_a_duplicate_email_on_one_contact_is_a_conflict(api: TestClient) -> None:
    contact = _create(api, "Ada", "ada@mailbox.org")
    response = api.post(f"/contacts/{contact['id']}/emails", json={"address": "ADA@mailbox.org"})
    assert response.status_code in (409, 422)
    assert "ada@mailbox.org" in response.text.lower()


def test_a_failed_request_leaves_nothing_half_written(api: TestClient) -> None:
    response = api.post(
        "/contacts", json={"first_name": "Ada", "emails": [{"address": "a@x.org"}, {"address": "bad"}]}
    )
    assert response.status_code == 422
    assert api.get("/contacts").json()["total"] == 0


def test_a_new_contact_with_an_email_another_holds_is_a_409_naming_that_contact(api: TestClient) -> None:
    kyle = _create(api, "Kyle", "kyle@mailbox.org")
    body = {"first_name": "K", "emails": [{"address": "KYLE@mailbox.org"}]}

    refused = api.post("/contacts", json=body)
    allowed = api.post("/contacts", json={**body, "allow_duplicate": True})

    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"KYLE@mailbox.org already belongs to Kyle (contact {kyle['id']})",
        "contact_id": kyle["id"],
    }
    assert allowed.status_code == 201
    assert api.get("/contacts", params={"email": "kyle@mailbox.org"}).json()["total"] == 2


def test_adding_an_email_another_contact_holds_is_a_409_naming_that_contact(api: TestClient) -> None:
    """Issue 15: creating refused a held address, adding one to an existing contact did not."""
    kyle = _create(api, "Kyle", "kyle@mailbox.org")
    ann = _create(api, "Ann", "ann@mailbox.org")

    refused = api.post(f"/contacts/{ann['id']}/emails", json={"address": "Kyle@Mailbox.org"})
    allowed = api.post(
        f"/contacts/{ann['id']}/emails", json={"address": "Kyle@Mailbox.org", "allow_duplicate": True}
    )

    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"Kyle@Mailbox.org already belongs to Kyle (contact {kyle['id']})",
        "contact_id": kyle["id"],
    }
    assert allowed.status_code == 201
    assert api.get("/contacts", params={"email": "kyle@mailbox.org"}).json()["total"] == 2


def test_changing_an_email_to_one_another_contact_holds_is_a_409_and_changes_nothing(api: TestClient) -> None:
    kyle = _create(api, "Kyle", "kyle@mailbox.org")
    ann = _create(api, "Ann", "ann@mailbox.org")
    email_id = ann["emails"][0]["id"]

    refused = api.patch(f"/emails/{email_id}", json={"address": "kyle@mailbox.org"})
    assert refused.status_code == 409
    assert refused.json()["contact_id"] == kyle["id"]
    assert [e["address"] for e in api.get(f"/contacts/{ann['id']}").json()["emails"]] == ["ann@mailbox.org"]

    allowed = api.patch(f"/emails/{email_id}", json={"address": "kyle@mailbox.org", "allow_duplicate": True})
    assert allowed.status_code == 200
    assert allowed.json()["address"] == "kyle@mailbox.org"


def test_an_email_a_contact_already_has_can_be_changed_back_to_its_own_spelling(api: TestClient) -> None:
    ann = _create(api, "Ann", "ann@mailbox.org")
    email_id = ann["emails"][0]["id"]

    changed = api.patch(f"/emails/{email_id}", json={"address": "Ann@Mailbox.org"})

    assert changed.status_code == 200  # her own address, not another contact's


def test_the_search_finds_a_full_name_in_either_order(api: TestClient) -> None:
    kyle = api.post("/contacts", json={"first_name": "Kyle", "last_name": "Silva"}).json()

    for query in ("Kyle Silva", "Silva, Kyle"):
        found = api.get("/contacts", params={"search": query}).json()
        assert [c["id"] for c in found["items"]] == [kyle["id"]]


def test_two_contacts_are_found_as_duplicates_and_merged_over_the_api(api: TestClient) -> None:
    kyle = _create(api, "Kyle", "kyle@mailbox.org")
    dup = api.post(
        "/contacts",
        json={
            "first_name": "K",
            "phone": "555",
            "emails": [{"address": "kyle@mailbox.org"}],
            "allow_duplicate": True,
        },
    ).json()

    pairs = api.get("/contacts/duplicates").json()
    merged = api.post(
        f"/contacts/{kyle['id']}/merge", json={"other_id": dup["id"], "take_from_other": ["phone"]}
    )
    wrong = api.post(f"/contacts/{kyle['id']}/merge", json={"other_id": kyle["id"]})

    assert pairs == [{"contact_ids": [kyle["id"], dup["id"]], "reasons": ["same email"], "score": 4}]
    assert merged.status_code == 200, merged.text
    assert (merged.json()["first_name"], merged.json()["phone"]) == ("Kyle", "555")
    assert api.get(f"/contacts/{dup['id']}").status_code == 404
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "other_id"]
