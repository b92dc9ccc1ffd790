"""Issue 16 in the browser: a staffer ticks every contact on the page ("Select all" is a script of our
own, so only a browser shows it works), adds them to a group, adds more people by name, edits a saved
search in its builder, is asked before saving one with no condition, and exports the search."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.crm.groups.service import create_group, group_member_ids
from constituent.kit.db import session_scope
from tests.browser.conftest import Site, log_in

pytestmark = pytest.mark.browser
PEOPLE = [("Ann", "Lee"), ("Bo", "Ng"), ("Cy", "Lee"), ("Di", "Park")]


def _stage(site: Site) -> int:
    with session_scope(site.database.sessions) as session:
        for first, last in PEOPLE:
            email = EmailIn(address=f"{first.lower()}@mailbox.org")
            create_contact(session, ContactCreate(first_name=first, last_name=last, emails=[email]), "test")
        create_group(session, "Canvassers", actor="test")
        return create_group(session, "Volunteers", actor="test").id


def _members(site: Site, group_id: int) -> int:
    with site.database.sessions() as session:
        return len(group_member_ids(session, group_id))


def test_a_staffer_selects_a_page_adds_people_by_name_and_edits_and_exports_a_search(
    page: Page, site: Site, screenshots: Path
) -> None:
    volunteers = _stage(site)
    log_in(page, site)

    page.get_by_label("Kind").select_option("individual")
    page.get_by_label("Sort by").select_option("name")
    page.get_by_role("button", name="Search").click()
    names = page.get_by_role("row").locator("td:nth-child(2) a")
    expect(names).to_have_text(["Ann Lee", "Cy Lee", "Bo Ng", "Di Park"])  # by last name

    page.goto(f"{site.app.base_url}/contacts?q=Lee")
    page.get_by_label("Select all on this page").check()
    expect(page.get_by_label("Select Ann Lee")).to_be_checked()
    expect(page.get_by_label("Select Cy Lee")).to_be_checked()
    page.get_by_label("Group", exact=True).select_option("Volunteers")
    page.screenshot(path=screenshots / "contacts-selected.png", full_page=True)
    page.get_by_role("button", name="Add selected to group").click()
    expect(page.get_by_text("Added 2 contact(s) to Volunteers.")).to_be_visible()
    assert _members(site, volunteers) == 2

    page.goto(f"{site.app.base_url}/groups/{volunteers}")
    page.get_by_label("Add people: a name or an email on each line").fill("Bo Ng\nPark\nnobody@mailbox.org")
    page.get_by_role("button", name="Add to group").click()
    expect(page.get_by_text("Added Bo Ng, Di Park.")).to_be_visible()
    expect(page.get_by_text("“nobody@mailbox.org”: no contact has this email.")).to_be_visible()
    page.screenshot(path=screenshots / "group-add-people.png", full_page=True)
    assert _members(site, volunteers) == 4

    page.goto(f"{site.app.base_url}/searches/new")
    page.get_by_label("Field").first.select_option("last_name")
    page.get_by_label("Value").first.fill("Lee")
    page.get_by_label("Name", exact=True).fill("The Lees")
    page.get_by_role("button", name="Save search").click()
    expect(page.get_by_text("Last name is Lee")).to_be_visible()
    page.get_by_role("link", name="Edit search").click()
    expect(page.get_by_label("Value").first).to_have_value("Lee")
    page.get_by_label("Field").first.select_option("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="This search has no condition")).to_be_visible()
    page.screenshot(path=screenshots / "search-everyone.png", full_page=True)
    page.get_by_label("Field").first.select_option("email_domain")
    page.get_by_label("Value").first.fill("mailbox.org")
    page.get_by_role("button", name="Save it anyway").click()  # with a condition again, saved as it is
    expect(page.get_by_text("Email domain is mailbox.org")).to_be_visible()
    expect(page.get_by_text("4 contact(s) match")).to_be_visible()
    page.screenshot(path=screenshots / "search-edited.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export these contacts").click()
    assert re.fullmatch(r"search-\d+-the-lees\.csv", download.value.suggested_filename)
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported.count("@mailbox.org") == 4
