"""Several contacts at once: people added to a group by name or email a line, ticked rows added to a group,
removed from one or exported, and everyone a saved search or the filtered list finds added in one go."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.crm.searches import service as searches
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact, a_group


def _members(db: TestDatabase, group_id: int) -> list[int]:
    with db.sessions() as session:
        return groups.group_member_ids(session, group_id)


def _shown(browser: Browser, path: str) -> str:
    return str(browser.get(path).text)


@contextmanager
def counted_statements(db: TestDatabase) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "after_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "after_cursor_execute", count)


def test_people_named_a_line_each_are_added_and_every_unsure_line_is_said_back(
    admin: Browser, db: TestDatabase
) -> None:
    ann = a_contact(db, "Ann", "Lee", "ann@parks.co.uk")
    bo = a_contact(db, "Bo", "Ng", "bo@other.co.uk")
    a_contact(db, "Cy", "Lee", "cy@parks.co.uk")
    group_id = a_group(db, "Volunteers")
    admin.get(f"/groups/{group_id}")

    response = admin.submit(
        f"/groups/{group_id}/members", {"people": "Ann Lee\nbo@other.co.uk\nLee\nZed Zed\n"}
    )

    assert response.status_code == 303
    page = _shown(admin, f"/groups/{group_id}")
    assert sorted(_members(db, group_id)) == sorted([ann, bo])
    assert "Added Ann Lee, Bo Ng." in page
    assert "“Lee”: 2 contacts match; give the email, or more of the name." in page
    assert "“Zed Zed”: no contact has this name." in page


def test_ticked_contacts_are_added_to_a_group_then_removed_and_exported(
    admin: Browser, db: TestDatabase
) -> None:
    ann = a_contact(db, "Ann", "Lee", "ann@parks.co.uk")
    bo = a_contact(db, "Bo", "Ng", "bo@other.co.uk")
    a_contact(db, "Cy", "Ma", "cy@parks.co.uk")
    group_id = a_group(db, "Volunteers")
    listing = _shown(admin, "/contacts")
    assert 'form="selection"' in listing and "data-select-all" in listing

    selected = {"contact_ids": [str(ann), str(bo)], "group_id": str(group_id), "back": "/contacts?page=1"}
    added = admin.submit("/contacts/selected", {**selected, "action": "add"})
    assert added.headers["location"] == "/contacts?page=1"
    assert "Added 2 contact(s) to Volunteers." in _shown(admin, "/contacts")
    assert sorted(_members(db, group_id)) == sorted([ann, bo])

    admin.submit("/contacts/selected", {**selected, "contact_ids": [str(bo)], "action": "remove"})
    assert _members(db, group_id) == [ann]
    assert "Removed 1 contact(s) from Volunteers" in _shown(admin, "/contacts")

    exported = admin.submit("/contacts/selected", {**selected, "action": "export"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(row["email"] for row in rows) == ["ann@parks.co.uk", "bo@other.co.uk"]
    assert "-selected.csv" in exported.headers["content-disposition"]


def test_a_group_s_ticked_members_are_removed_from_it(admin: Browser, db: TestDatabase) -> None:
    ann = a_contact(db, "Ann", "Lee", "ann@parks.co.uk")
    bo = a_contact(db, "Bo", "Ng", "bo@other.co.uk")
    group_id = a_group(db, "Volunteers")
    with session_scope(db.sessions) as session:
        groups.add_to_group(session, group_id, [ann, bo], method=MembershipMethod.user, actor="staff")
    assert "Remove selected from Volunteers" in _shown(admin, f"/groups/{group_id}")

    form = {"contact_ids": [str(ann)], "group_id": str(group_id), "back": f"/groups/{group_id}"}
    admin.submit("/contacts/selected", {**form, "action": "remove"})

    assert _members(db, group_id) == [bo]


def test_nothing_ticked_or_no_group_chosen_is_a_plain_message_and_changes_nothing(
    admin: Browser, db: TestDatabase
) -> None:
    ann = a_contact(db)
    group_id = a_group(db, "Volunteers")
    admin.get("/contacts")

    admin.submit("/contacts/selected", {"action": "add", "group_id": str(group_id)})
    assert "Tick at least one contact first." in _shown(admin, "/contacts")
    admin.submit("/contacts/selected", {"action": "add", "contact_ids": [str(ann)], "group_id": ""})
    assert "Choose a group first." in _shown(admin, "/contacts")
    away = admin.submit("/contacts/selected", {"action": "add", "back": "https://evil.example/"})
    assert away.headers["location"] == "/"
    assert _members(db, group_id) == []


def test_everyone_a_saved_search_finds_joins_a_group_in_a_few_statements(
    admin: Browser, db: TestDatabase
) -> None:
    ids = [a_contact(db, f"P{n}", "Lee", f"p{n}@parks.co.uk") for n in range(60)]
    a_contact(db, "Bo", "Ng", "bo@other.co.uk")
    group_id = a_group(db, "Volunteers")
    with session_scope(db.sessions) as session:
        lees = {"all": [{"field": "last_name", "op": "eq", "value": "Lee"}]}
        search_id = searches.create_search(session, SavedSearchCreate(name="Lees", filter=lees)).id
    assert "Add all 60 to" in _shown(admin, f"/searches/{search_id}")

    with counted_statements(db) as statements:
        admin.submit(f"/searches/{search_id}/to-group", {"group_id": str(group_id)})

    assert sorted(_members(db, group_id)) == sorted(ids)
    assert "Added 60 contact(s) to Volunteers." in _shown(admin, f"/searches/{search_id}")
    assert len(statements) < 40, statements  # set-based: not a statement per contact


def test_everyone_the_filtered_list_shows_on_all_its_pages_joins_a_group(
    admin: Browser, db: TestDatabase
) -> None:
    lees = [a_contact(db, f"P{n}", "Lee", f"p{n}@parks.co.uk") for n in range(55)]
    a_contact(db, "Bo", "Ng", "bo@other.co.uk")
    group_id = a_group(db, "Volunteers")
    page = _shown(admin, "/contacts?q=Lee")
    assert "Add all 55 to" in page

    admin.submit("/contacts/to-group", {"group_id": str(group_id), "q": "Lee", "back": "/contacts?q=Lee"})

    assert sorted(_members(db, group_id)) == sorted(lees)
