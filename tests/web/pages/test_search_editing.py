"""A saved search is edited in the builder that made it (never as JSON), and a search with no condition,
which matches everyone and becomes a Mailchimp tag on everyone, is saved only once confirmed."""

from __future__ import annotations

import html
import re
from typing import Any

from constituent.crm.searches import service
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.kit.clock import today
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact, a_group, a_stored_integration

VOLUNTEERS_IN_OAKLAND = {
    "all": [
        {"field": "in_group", "op": "eq", "value": 0},  # the group's id, set by the test
        {"field": "city", "op": "in", "value": ["Oakland", "Berkeley"]},
        {"field": "last_gift_date", "op": "gte", "value": {"days_ago": 30}},
        {"field": "city", "op": "is_empty", "value": False},
    ]
}


def _saved(db: TestDatabase, name: str, filter_: dict[str, Any]) -> int:
    with session_scope(db.sessions) as session:
        data = SavedSearchCreate(name=name, description="For the canvass", filter=filter_)
        return service.create_search(session, data).id


def _filter_of(db: TestDatabase, search_id: int) -> dict[str, Any]:
    with db.sessions() as session:
        return dict(service.get_search(session, search_id).filter)


def test_the_edit_form_shows_each_condition_in_the_builder_in_words_and_saving_it_unchanged_keeps_it(
    admin: Browser, db: TestDatabase
) -> None:
    group_id = a_group(db, "Volunteers")
    wanted = {
        "all": [{**VOLUNTEERS_IN_OAKLAND["all"][0], "value": group_id}, *VOLUNTEERS_IN_OAKLAND["all"][1:]]
    }
    search_id = _saved(db, "Oakland volunteers", wanted)

    shown = admin.get(f"/searches/{search_id}").text
    form = admin.get(f"/searches/{search_id}/edit").text

    assert "In group (name or id) is Volunteers" in shown and "{&#34;all&#34;" not in shown
    assert f'href="/searches/{search_id}/edit"' in shown
    assert 'value="Volunteers"' in form and 'value="Oakland, Berkeley"' in form
    assert 'value="30 days ago"' in form and 'value="no"' in form
    assert 'value="Oakland volunteers"' in form and "{&#34;" not in form
    fields = dict(_form_values(form))
    saved = admin.submit(f"/searches/{search_id}/edit", {**fields, "action": "save"})
    assert saved.status_code == 303, saved.text
    assert _filter_of(db, search_id) == wanted


def test_an_edited_search_finds_its_new_members_and_keeps_its_id(admin: Browser, db: TestDatabase) -> None:
    a_contact(db, "Ann", "Lee", "ann@parks.co.uk")
    bo = a_contact(db, "Bo", "Ng", "bo@other.co.uk")
    search_id = _saved(db, "Parks", {"all": [{"field": "email_domain", "op": "eq", "value": "parks.co.uk"}]})
    admin.get(f"/searches/{search_id}/edit")

    form = {
        "rows": "3",
        "match": "all",
        "rows-0-field": "email_domain",
        "rows-0-op": "eq",
        "rows-0-value": "other.co.uk",
        "name": "Other",
        "description": "",
    }
    response = admin.submit(f"/searches/{search_id}/edit", {**form, "action": "save"})

    assert response.headers["location"] == f"/searches/{search_id}"
    page = admin.get(f"/searches/{search_id}").text
    assert "The search Other was saved." in page and f'<a href="/contacts/{bo}">Bo Ng</a>' in page
    assert "Ann Lee" not in page
    assert _filter_of(db, search_id) == {
        "all": [{"field": "email_domain", "op": "eq", "value": "other.co.uk"}]
    }


def test_a_search_with_no_condition_asks_before_it_is_saved_and_says_it_would_tag_everyone_in_mailchimp(
    admin: Browser, db: TestDatabase, settings: Settings
) -> None:
    a_contact(db, "Ann", "Lee", "ann@parks.co.uk")
    a_contact(db, "Bo", "Ng", "bo@other.co.uk")
    with session_scope(db.sessions) as session:
        a_stored_integration(session, settings)
    admin.get("/searches/new")
    form = {"rows": "3", "match": "all", "name": "Everyone", "description": ""}

    asked = admin.submit("/searches/new", {**form, "action": "save"})

    assert asked.status_code == 200
    assert "It matches every contact (2)" in asked.text
    assert "every member of your Mailchimp audience would get this tag" in asked.text
    assert "Save it anyway" in asked.text
    with db.sessions() as session:
        assert "Everyone" not in [s.name for s in service.list_searches(session, today=today())]
    confirmed = admin.submit("/searches/new", {**dict(_form_values(asked.text)), "action": "save"})
    assert confirmed.status_code == 303
    with db.sessions() as session:
        assert "Everyone" in [s.name for s in service.list_searches(session, today=today())]


def test_removing_the_last_condition_of_a_search_asks_first_too(admin: Browser, db: TestDatabase) -> None:
    filter_ = {"all": [{"field": "email_domain", "op": "eq", "value": "parks.co.uk"}]}
    search_id = _saved(db, "Parks", filter_)
    admin.get(f"/searches/{search_id}/edit")

    form = {"rows": "3", "match": "all", "rows-0-field": "", "name": "Parks", "description": ""}
    asked = admin.submit(f"/searches/{search_id}/edit", {**form, "action": "save"})

    assert asked.status_code == 200 and "This search has no condition" in asked.text
    assert "Mailchimp" not in asked.text.split("This search has no condition")[1].split("</section>")[0]
    assert _filter_of(db, search_id) == filter_


def test_a_quick_list_cannot_be_edited_and_says_why(admin: Browser, db: TestDatabase) -> None:
    with db.sessions() as session:
        quick = next(s for s in service.list_searches(session, today=today()) if s.is_quick_list)
        quick_id, name = quick.id, quick.name
    admin.get("/searches")

    response = admin.get(f"/searches/{quick_id}/edit")

    assert response.status_code == 303
    page = admin.get(f"/searches/{quick_id}").text
    assert f"{name} is a built-in quick list, so it cannot be edited here." in page
    assert f'href="/searches/{quick_id}/edit"' not in page


def test_a_search_made_with_nested_conditions_is_described_but_not_offered_to_the_builder(
    admin: Browser, db: TestDatabase
) -> None:
    nested = {"any": [{"all": [{"field": "city", "op": "eq", "value": "Oakland"}]}, {"not": {"all": []}}]}
    search_id = _saved(db, "Nested", nested)

    shown = admin.get(f"/searches/{search_id}").text
    edit = admin.get(f"/searches/{search_id}/edit")

    assert "Conditions nested in groups" in shown
    assert edit.status_code == 303
    assert "has conditions the builder cannot show" in admin.get(f"/searches/{search_id}").text
    assert _filter_of(db, search_id) == nested


def _form_values(page: str) -> list[tuple[str, str]]:
    """The text inputs, hidden inputs, checked radios and selected options of the page's builder form."""
    found: list[tuple[str, str]] = []
    builder = page.split('class="card search-builder"', 1)[1].split("</form>", 1)[0]
    for tag in re.findall(r"<input[^>]*>", builder):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        is_radio = 'type="radio"' in tag
        if name and value and name.group(1) != "csrf_token" and (not is_radio or " checked" in tag):
            found.append((name.group(1), html.unescape(value.group(1))))
    for select in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', builder, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select[1])
        found.append((select[0], html.unescape(chosen.group(1)) if chosen else ""))
    return found
