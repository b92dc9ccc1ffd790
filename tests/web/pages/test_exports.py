"""Export a saved search, a group or the Contacts list as filtered, not only everyone: each file holds
exactly those contacts in the importer's columns, and its name carries the search's or group's id."""

from __future__ import annotations

import csv
import io

from constituent.crm.contacts.models import Contact
from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.crm.searches import service as searches
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact, a_group


def _rows(response: object) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))  # type: ignore[attr-defined]


def _people(db: TestDatabase) -> tuple[int, int, int]:
    ann = a_contact(db, "Ann", "Lee", "ann@parks.co.uk")
    bo = a_contact(db, "Bo", "Ng", "bo@other.co.uk")
    cy = a_contact(db, "Cy", "Lee", "cy@parks.co.uk")
    return ann, bo, cy


def test_a_saved_search_exports_exactly_its_members_named_by_its_id(admin: Browser, db: TestDatabase) -> None:
    _people(db)
    with session_scope(db.sessions) as session:
        data = SavedSearchCreate(
            name="Parks: Lees!", filter={"all": [{"field": "last_name", "op": "eq", "value": "Lee"}]}
        )
        search_id = searches.create_search(session, data).id

    page = admin.get(f"/searches/{search_id}").text
    response = admin.get(f"/searches/{search_id}/export.csv")

    assert f'href="/searches/{search_id}/export.csv"' in page
    assert response.status_code == 200
    assert f'filename="search-{search_id}-parks-lees.csv"' in response.headers["content-disposition"]
    assert sorted(row["email"] for row in _rows(response)) == ["ann@parks.co.uk", "cy@parks.co.uk"]
    assert {"first_name", "last_name", "groups", "external_id"} <= _rows(response)[0].keys()


def test_a_group_exports_its_current_members_only(admin: Browser, db: TestDatabase) -> None:
    ann, bo, cy = _people(db)
    group_id = a_group(db, "Volunteers")
    with session_scope(db.sessions) as session:
        groups.add_to_group(session, group_id, [ann, bo, cy], method=MembershipMethod.user, actor="staff")
        groups.remove_from_group(session, group_id, [bo], method=MembershipMethod.user, actor="staff")

    response = admin.get(f"/groups/{group_id}/export.csv")

    assert f'filename="group-{group_id}-volunteers.csv"' in response.headers["content-disposition"]
    rows = _rows(response)
    assert sorted(row["email"] for row in rows) == ["ann@parks.co.uk", "cy@parks.co.uk"]
    assert all(row["groups"] == "Volunteers" for row in rows)


def test_the_contacts_list_exports_what_its_search_and_narrowing_show_on_every_page(
    admin: Browser, db: TestDatabase
) -> None:
    _people(db)
    with session_scope(db.sessions) as session:
        session.add(Contact(kind="organization", organization_name="Lee Parks Trust"))

    page = admin.get("/contacts?q=Lee&kind=individual").text
    response = admin.get("/contacts/export.csv?q=Lee&kind=individual")
    everyone = admin.get("/contacts/export.csv")

    assert 'href="/contacts/export.csv?q=Lee&amp;kind=individual"' in page and "Export this list" in page
    assert "-filtered.csv" in response.headers["content-disposition"]
    assert sorted(row["first_name"] for row in _rows(response)) == ["Ann", "Cy"]
    assert len(_rows(everyone)) == 4


def test_a_bad_narrowing_is_a_plain_message_and_an_unknown_group_a_not_found(
    admin: Browser, db: TestDatabase
) -> None:
    wrong = admin.get("/contacts/export.csv?kind=robot")
    missing = admin.get("/groups/99999/export.csv")

    assert wrong.status_code == 400 and "individual, organization, vendor" in wrong.text
    assert missing.status_code == 404


def test_an_export_needs_a_login(visitor: Browser, db: TestDatabase) -> None:
    group_id = a_group(db, "Volunteers")

    response = visitor.get(f"/groups/{group_id}/export.csv")

    assert response.status_code == 303 and response.headers["location"].startswith("/login")
