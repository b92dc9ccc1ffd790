"""Advanced Search: rows of field / operator / value become a filter, previewed, saved, and run."""

from __future__ import annotations

from typing import Any

import pytest

from constituent.crm.searches.service import list_searches
from constituent.kit.clock import today
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact, a_group


def _rows(*conditions: tuple[str, str, str]) -> dict[str, Any]:
    form: dict[str, Any] = {"rows": str(max(3, len(conditions))), "match": "all"}
    for index, (field, op, value) in enumerate(conditions):
        form |= {f"rows-{index}-field": field, f"rows-{index}-op": op, f"rows-{index}-value": value}
    return form


@pytest.mark.slow
def test_the_preview_counts_the_matches_and_shows_the_first_ones(admin: Browser, db: TestDatabase) -> None:
    a_contact(db, "Ann", "Lee", "ann@parks.co.uk")
    a_contact(db, "Bo", "Lee", "bo@other.co.uk")
    a_contact(db, "Cy", "Ng", "cy@parks.co.uk")
    admin.get("/searches/new")
    form = _rows(("last_name", "eq", "Lee"), ("email_domain", "eq", "parks.co.uk"))
    page = admin.submit("/searches/new", {**form, "action": "preview"}).text
    assert "1 contact(s) match" in page and "Ann Lee" in page and "Bo Lee" not in page
    anyone = admin.submit("/searches/new", {**form, "match": "any", "action": "preview"}).text
    assert "3 contact(s) match" in anyone


def test_a_search_is_saved_and_its_page_lists_its_members(admin: Browser, db: TestDatabase) -> None:
    ann = a_contact(db)
    group_id = a_group(db, "Volunteers")
    admin.get("/searches/new")
    form = _rows(("last_name", "starts_with", "le"), ("in_group", "ne", "Volunteers"))
    response = admin.submit("/searches/new", {**form, "name": "Lees not volunteering", "action": "save"})
    assert response.status_code == 303
    page = admin.get(response.headers["location"]).text
    assert "The search Lees not volunteering was saved." in page
    assert "1 contact(s) match" in page and f'<a href="/contacts/{ann}">Ann Lee</a>' in page
    with db.sessions() as session:
        [saved] = [s for s in list_searches(session, today=today()) if s.name == "Lees not volunteering"]
        assert saved.filter["all"][1] == {"field": "in_group", "op": "ne", "value": group_id}


def test_a_wrong_value_is_shown_next_to_the_row_it_belongs_to(admin: Browser, db: TestDatabase) -> None:
    admin.get("/searches/new")
    form = _rows(("last_name", "eq", "Lee"), ("", "", ""), ("gift_count", "gte", "many"))
    response = admin.submit("/searches/new", {**form, "action": "preview"})
    assert response.status_code == 400
    assert (
        '<p id="f-rows-2-value-error" class="field-error">expected a whole number, got str &#39;many&#39;</p>'
        in response.text
    )
    wrong_op = admin.submit("/searches/new", {**_rows(("is_active", "contains", "yes")), "action": "preview"})
    assert 'id="f-rows-0-op-error"' in wrong_op.text and "does not apply to is_active" in wrong_op.text


@pytest.mark.slow
def test_a_search_needs_a_name_that_is_not_taken(admin: Browser, db: TestDatabase) -> None:
    admin.get("/searches/new")
    form = _rows(("last_name", "eq", "Lee"))
    nameless = admin.submit("/searches/new", {**form, "action": "save"})
    assert nameless.status_code == 400 and "a saved search needs a name" in nameless.text
    admin.submit("/searches/new", {**form, "name": "Lees", "action": "save"})
    again = admin.submit("/searches/new", {**form, "name": "Lees", "action": "save"})
    assert again.status_code == 400 and "already exists" in again.text


def test_add_a_condition_gives_one_more_row_and_keeps_what_was_typed(admin: Browser) -> None:
    admin.get("/searches/new")
    page = admin.submit("/searches/new", {**_rows(("city", "eq", "Springfield")), "action": "add_row"}).text
    assert 'name="rows-3-field"' in page and 'value="Springfield"' in page


def test_a_saved_search_is_deleted_from_its_page_but_quick_lists_cannot_be(
    admin: Browser, db: TestDatabase
) -> None:
    admin.get("/searches/new")
    response = admin.submit(
        "/searches/new", {**_rows(("city", "eq", "X")), "name": "Gone soon", "action": "save"}
    )
    search_url = response.headers["location"]
    admin.get(search_url)
    assert admin.submit(search_url + "/delete").headers["location"] == "/searches"
    assert admin.get(search_url).status_code == 404
    with db.sessions() as session:
        quick = next(s for s in list_searches(session, today=today()) if s.is_quick_list)
    page = admin.get(f"/searches/{quick.id}").text
    assert "Delete search" not in page
    assert admin.submit(f"/searches/{quick.id}/delete").status_code == 400
