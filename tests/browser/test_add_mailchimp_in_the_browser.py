"""A person adds Mailchimp in the browser: log in, Integrations, Add Mailchimp, Mailchimp's login on the
emulator, and back on the Mailchimp page with the audience and the webhook registered; then the first sync."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.crm.organization.service import get_settings
from constituent.kit.db import session_scope
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Site

pytestmark = pytest.mark.browser


def _organization_and_contacts(site: Site) -> None:
    with session_scope(site.database.sessions) as session:
        org = get_settings(session)
        org.organization_name, org.street, org.city = "Friends of Parks", "1 Elm St", "Springfield"
        org.state, org.postal_code = "IL", "62701"
        org.from_name, org.from_email = "Friends of Parks", "news@parks.co.uk"
        for first, last in (("Ann", "Lee"), ("Bo", "Diaz"), ("Cy", "Ng")):
            email = EmailIn(address=f"{first.lower()}@mailbox.org", is_primary=True)
            create_contact(session, ContactCreate(first_name=first, last_name=last, emails=[email]), "test")


def _log_in(page: Page, site: Site, screenshots: Path) -> None:
    page.goto(f"{site.app.base_url}/integrations")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fintegrations$"))
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.screenshot(path=screenshots / "login.png")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Add/Remove Integrations")).to_be_visible()


def _connect_through_mailchimp_login(page: Page, site: Site, screenshots: Path) -> None:
    login, password = "parks-browser", "emulator password"
    site.emulator.create_account("monthly", login=login, password=password)
    page.get_by_role("link", name="Add Mailchimp").click()
    expect(page.get_by_label("Organization or committee name")).to_have_value("Friends of Parks")
    expect(page.get_by_label("Mailchimp login (recommended)")).to_be_checked()
    page.get_by_label("Integration name").fill("Parks newsletter")
    page.screenshot(path=screenshots / "add-mailchimp.png", full_page=True)
    page.get_by_role("button", name="Connect Mailchimp").click()
    # Mailchimp's own login page (the emulator's), on another origin.
    expect(page.get_by_role("heading", name=re.compile("Allow .* to access your account"))).to_be_visible()
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in and allow").click()


def test_an_admin_adds_mailchimp_through_its_login_and_lands_on_the_mailchimp_page(
    page: Page, site: Site, screenshots: Path
) -> None:
    _organization_and_contacts(site)
    _log_in(page, site, screenshots)
    page.screenshot(path=screenshots / "integrations-empty.png")

    _connect_through_mailchimp_login(page, site, screenshots)

    expect(page).to_have_url(re.compile(r"/integrations/mailchimp/\d+$"))
    expect(page.get_by_role("heading", name="Parks newsletter")).to_be_visible()
    expect(page.get_by_text("Mailchimp is connected to the audience 'Parks newsletter'.")).to_be_visible()
    expect(page.get_by_text("webhook registered")).to_be_visible()
    expect(page.get_by_role("link", name="Open the audience in Mailchimp")).to_have_attribute(
        "href", re.compile(re.escape(site.emulator.api_base) + r"/lists/\w+")
    )

    page.get_by_role("button", name="Start the first sync").click()
    finished = "The first sync finished: First sync: 3 added"
    expect(page.get_by_text(finished)).to_be_visible()
    page.screenshot(path=screenshots / "mailchimp-page.png", full_page=True)

    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator(".count").filter(has_text="Contacts")).to_contain_text("3")
    expect(page.get_by_role("link", name="Parks newsletter")).to_be_visible()
    page.screenshot(path=screenshots / "dashboard.png", full_page=True)
    page.get_by_role("link", name="Integrations").click()
    page.screenshot(path=screenshots / "integrations.png", full_page=True)
