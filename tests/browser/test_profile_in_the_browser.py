"""Issue 16's "fix what you can create" and "their clock" in the browser: the organization's time zone is
chosen from a list, a gift typed as "$1,500" is understood, a date in the future asks first, the gift is
edited and deleted, and a call is logged and shown in words with the staffer's zone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.kit.db import session_scope
from tests.browser.conftest import Site, log_in

pytestmark = pytest.mark.browser


def _ann(site: Site) -> int:
    with session_scope(site.database.sessions) as session:
        data = ContactCreate(first_name="Ann", last_name="Lee", emails=[EmailIn(address="ann@mailbox.org")])
        return create_contact(session, data, "test").id


def test_a_staffer_sets_the_clock_fixes_a_gift_and_logs_a_call(
    page: Page, site: Site, screenshots: Path
) -> None:
    ann = _ann(site)
    log_in(page, site)

    page.goto(f"{site.app.base_url}/settings")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")

    page.goto(f"{site.app.base_url}/contacts/{ann}/contributions")
    page.get_by_label("Amount").fill("$1,500")
    page.get_by_label("Received on").fill("2099-01-15")
    page.get_by_role("button", name="Add contribution").click()
    page.get_by_label("Yes, this date is right").check()
    page.get_by_role("button", name="Add contribution").click()
    gift = page.get_by_role("row").filter(has_text="2099-01-15")
    expect(gift).to_contain_text("1500.00")
    gift.get_by_role("link", name="Edit").click()
    page.get_by_label("Amount").fill("1 250,50")
    page.get_by_label("Received on").fill("2026-11-02")
    page.get_by_role("button", name="Save changes").click()
    edited = page.get_by_role("row").filter(has_text="2026-11-02")
    expect(edited).to_contain_text("1250.50")
    tabs = page.get_by_role("navigation", name="Contact")
    expect(tabs.get_by_role("link", name=re.compile(r"Contributions \(1\)"))).to_be_visible()
    page.screenshot(path=screenshots / "contact-contributions.png", full_page=True)
    tabs.get_by_role("link", name="Summary").click()
    expect(page.get_by_text("Largest gift")).to_be_visible()
    expect(page.get_by_text(re.compile(r"1250\.50 USD"))).to_have_count(2)  # the total and the largest
    page.get_by_role("link", name="Edit", exact=True).click()  # the Edit button at the top opens the form
    page.get_by_label("City").fill("Shelbyville")
    page.get_by_role("button", name="Save contact").click()
    tabs.get_by_role("link", name="Change log").click()
    expect(page.get_by_text(re.compile("City changed"))).to_be_visible()
    expect(page.get_by_text("user:")).to_have_count(0)
    page.goto(f"{site.app.base_url}/contacts/{ann}/contributions")
    edited = page.get_by_role("row").filter(has_text="2026-11-02")
    edited.get_by_text("Delete", exact=True).click()
    edited.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_text("No contributions yet.")).to_be_visible()

    page.goto(f"{site.app.base_url}/contacts/{ann}/activities")
    page.get_by_label("Type").select_option(label="Call")
    page.get_by_label("What happened").fill("Asked about volunteering")
    page.get_by_role("button", name="Log activity").click()
    expect(page.get_by_text("Asked about volunteering")).to_be_visible()
    expect(page.get_by_text("Call", exact=True).first).to_be_visible()
    expect(page.get_by_text("email_sent")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"\b(CST|CDT)\b")).first).to_be_visible()  # times in her zone, named
    page.screenshot(path=screenshots / "contact-activities.png", full_page=True)
