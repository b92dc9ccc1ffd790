"""Pages and a saved search beyond the size limit stored before the limit existed (issue 13, item 5):
the contact page still opens, and the search's own page says plainly what is wrong."""

from __future__ import annotations

from constituent.crm.searches.filters import MAX_CONDITIONS
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.crm.searches.oversized import huge_filter, store_unchecked
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact


def test_the_contact_page_opens_beside_an_oversized_search(staff: Browser, db: TestDatabase) -> None:
    with session_scope(db.sessions) as session:
        store_unchecked(session, "Everywhere", {"any": huge_filter()["all"]})
    contact_id = a_contact(db, "Ann", "Lee", "ann@parks.co.uk")
    page = staff.get(f"/contacts/{contact_id}")
    assert page.status_code == 200, page.text
    assert "Ann Lee" in page.text
    groups = staff.get(f"/contacts/{contact_id}/groups")
    assert groups.status_code == 200, groups.text
    assert "Everywhere" not in groups.text


def test_the_page_of_an_oversized_search_says_it_is_too_big(staff: Browser, db: TestDatabase) -> None:
    with session_scope(db.sessions) as session:
        search_id = store_unchecked(session, "Everywhere", huge_filter())
    page = staff.get(f"/searches/{search_id}")
    assert page.status_code == 400, page.text
    assert f"A saved search can have at most {MAX_CONDITIONS} conditions" in page.text
    assert "filter:" not in page.text
