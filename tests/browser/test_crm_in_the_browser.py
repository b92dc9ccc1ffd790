"""A person uses the CRM in the browser: log in, import a CSV and watch the bar finish, build a saved
search with the Advanced Search form, open a contact, and add them to a group."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from constituent.crm.groups.service import create_group
from constituent.kit.db import session_scope
from tests.browser.conftest import Site, log_in

pytestmark = pytest.mark.browser

# A sheet as people make them: their own headers, no kind column, Y/N, a misspelt group.
HEADER = "First Name,Last Name,Organisation,E-mail,Active,No email,Groups,Town"
PEOPLE = [
    "Ann,Lee,,ann@mailbox.org,Y,N,Volunteeers,Springfield",
    "Bo,Diaz,,bo@mailbox.org,Y,N,,Shelbyville",
    "Cy,Ng,,cy@mailbox.org,Y,N,,Springfield",
    "Dee,Lee,,not-an-email,Y,N,,Springfield",
    ",,Parks Trust,info@parks.co.uk,Y,N,,Springfield",
    "Ann,Lee,,ANN@mailbox.org,Y,N,,Springfield",
]


def _import(page: Page, screenshots: Path) -> None:
    page.get_by_role("link", name="Import CSV").click()
    csv_text = "\n".join([HEADER, *PEOPLE]) + "\n"
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    page.get_by_role("button", name="Next: check the columns").click()
    # The mapping step: the sheet's own headers beside our fields, guessed, with a preview.
    expect(page.get_by_label("Town")).to_have_value("city")
    expect(page.get_by_label("No email")).to_have_value("do_not_email")
    expect(page.get_by_role("cell", name="Parks Trust")).to_be_visible()
    page.screenshot(path=screenshots / "import-mapping.png", full_page=True)
    page.get_by_role("button", name="Start import").click()
    # The bar polls the server (htmx) until the import has finished, then shows the report.
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible()
    expect(page.get_by_text("4 new contact(s)")).to_be_visible()
    merged = "1 row(s) about a person an earlier row of the file already named"
    expect(page.get_by_text(merged)).to_be_visible()
    expect(page.get_by_text("“Volunteeers”: 1 row(s), first on line 2")).to_be_visible()
    expect(page.get_by_role("cell", name="5", exact=True)).to_be_visible()  # the bad email's line
    page.screenshot(path=screenshots / "import.png", full_page=True)


def _upload(page: Page, name: str, csv_text: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    page.get_by_role("button", name="Next: check the columns").click()


def _import_with_saved_columns(page: Page) -> None:
    """Issue 15: the columns chosen for one sheet are saved by name and used for the next one like it."""
    _upload(page, "webinar-1.csv", "Given,Family,E-mail\nWren,Ode,wren@mailbox.org\n")
    page.get_by_label("Given").select_option("first_name")
    page.get_by_label("Family").select_option("last_name")
    page.get_by_label("Save these columns for the next file like this one").fill("Webinar sheet")
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible()

    _upload(page, "webinar-2.csv", "Given,Family,E-mail\nIvo,Pym,ivo@mailbox.org\n")
    expect(page.get_by_label("Given")).to_have_value("")  # not guessed
    page.get_by_label("Or use the columns you saved from an earlier file").select_option(
        label="Webinar sheet"
    )
    page.get_by_role("button", name="Use these columns").click()
    expect(page.get_by_label("Given")).to_have_value("first_name")
    expect(page.get_by_label("Family")).to_have_value("last_name")
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_text("1 new contact(s)")).to_be_visible()


def _saved_search(page: Page, screenshots: Path) -> None:
    page.get_by_role("link", name="Searches").click()
    page.get_by_role("link", name="Advanced Search").click()
    first = page.get_by_role("group", name="Condition 1")
    first.get_by_label("Field").select_option("city")
    first.get_by_label("Operator").select_option("eq")
    first.get_by_label("Value").fill("Springfield")
    second = page.get_by_role("group", name="Condition 2")
    second.get_by_label("Field").select_option("kind")
    second.get_by_label("Value").fill("individual")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="2 contact(s) match")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Springfield people")
    page.screenshot(path=screenshots / "advanced-search.png", full_page=True)
    page.get_by_role("button", name="Save search").click()
    expect(page.get_by_text("The search Springfield people was saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Ann Lee")).to_be_visible()
    expect(page.get_by_role("link", name="Bo Diaz")).to_have_count(0)


def _add_to_group(page: Page, screenshots: Path) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    expect(page.get_by_text("4 contact(s).")).to_be_visible()
    page.screenshot(path=screenshots / "contacts.png", full_page=True)
    page.get_by_role("searchbox", name="Search contacts").fill("Lee")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 contact(s) matching “Lee”.")).to_be_visible()
    page.get_by_role("link", name="Ann Lee").click()
    expect(page.get_by_role("heading", name="Ann Lee")).to_be_visible()
    page.get_by_role("navigation", name="Contact").get_by_role("link", name="Groups").click()
    expect(page).to_have_url(re.compile(r"/contacts/\d+/groups$"))
    page.get_by_label("Group", exact=True).select_option(label="Volunteers")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Added to Volunteers.")).to_be_visible()
    expect(page.get_by_role("link", name="Volunteers")).to_be_visible()
    expect(page.get_by_role("link", name="Springfield people")).to_be_visible()  # a smart group it matches
    page.get_by_role("navigation", name="Contact").get_by_role("link", name="Summary").click()
    page.screenshot(path=screenshots / "contact.png", full_page=True)


def test_a_person_imports_searches_and_groups_contacts_in_the_browser(
    page: Page, site: Site, screenshots: Path
) -> None:
    with session_scope(site.database.sessions) as session:
        create_group(session, "Volunteers", "People who help", actor="test")
    log_in(page, site)
    _import(page, screenshots)
    _saved_search(page, screenshots)
    _add_to_group(page, screenshots)
    _import_with_saved_columns(page)


def test_a_sheet_excel_saved_its_own_way_imports_as_typed_in_the_browser(page: Page, site: Site) -> None:
    """Excel's plain CSV where the decimal mark is a comma: Windows text, semicolons, a title above the
    column names, and a column without a name that someone wrote in."""
    lines = ("Rally sign-ups;;;", "First Name;Last Name;Email;", "Zoë;Müller;zoe@mailbox.org;called back")
    log_in(page, site)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "rally.csv", "mimeType": "text/csv", "buffer": "\r\n".join(lines).encode("cp1252")}]
    )
    page.get_by_role("button", name="Next: check the columns").click()

    expect(page.get_by_text("Read as Windows text, columns separated by semicolons")).to_be_visible()
    expect(page.get_by_text("The column names are on line 2 of your file")).to_be_visible()
    expect(page.get_by_label("First Name")).to_have_value("first_name")
    expect(page.get_by_role("rowheader", name="Column 4, no name")).to_be_visible()
    expect(page.get_by_role("cell", name="Müller")).to_be_visible()
    page.get_by_role("button", name="Start import").click()

    expect(page.get_by_role("heading", name="Import finished")).to_be_visible()
    expect(page.get_by_text("1 new contact(s)")).to_be_visible()
    expect(page.get_by_text("column 4 (no name)")).to_be_visible()
