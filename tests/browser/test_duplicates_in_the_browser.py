"""Issue 15 in the browser: "New contact" warns about a person already here, the search finds them by
name in either order, two contacts are merged field by field, and a contact is deleted after a warning."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.kit.db import session_scope
from tests.browser.conftest import Site, log_in

pytestmark = pytest.mark.browser


def _new_contact(page: Page, first: str, email: str) -> None:
    page.get_by_role("link", name="New contact").click()
    page.get_by_label("First name").fill(first)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Add contact").click()


def test_a_staffer_is_warned_of_a_duplicate_finds_merges_and_deletes_contacts(page: Page, site: Site) -> None:
    with session_scope(site.database.sessions) as session:
        data = ContactCreate(
            first_name="Kyle", last_name="Silva", emails=[EmailIn(address="kyle@mailbox.org")]
        )
        kyle = create_contact(session, data, "test").id
    log_in(page, site)

    _new_contact(page, "K", "KYLE@mailbox.org")
    expect(page.get_by_role("alert")).to_contain_text("KYLE@mailbox.org is already the email of Kyle Silva")
    page.get_by_label("Add a second contact with this email anyway").check()
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_text("K was added.")).to_be_visible()

    page.goto(f"{site.app.base_url}/contacts?q=Silva%2C+Kyle")
    expect(page.get_by_role("link", name="Kyle Silva")).to_be_visible()

    page.goto(f"{site.app.base_url}/contacts/duplicates")
    expect(page.get_by_role("cell", name="Same email")).to_be_visible()
    page.get_by_role("link", name="Compare and merge").click()
    page.get_by_role("button", name="Merge").click()
    expect(page.get_by_text("was merged into Kyle Silva.")).to_be_visible()

    page.goto(f"{site.app.base_url}/contacts/{kyle}")
    page.get_by_role("link", name="Delete contact…").click()
    expect(page.get_by_text("Nothing changes in Mailchimp")).to_be_visible()
    page.get_by_role("button", name="Delete Kyle Silva").click()
    expect(page.get_by_text("Kyle Silva was deleted.")).to_be_visible()
