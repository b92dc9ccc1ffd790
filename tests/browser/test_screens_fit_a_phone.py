"""Issue 16: every page fits a phone (390 px wide: nothing overflows sideways, the header takes at most a
sixth of the screen), no page breaks its Content Security Policy, and the API docs render offline."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from constituent.crm.contacts.service import list_contacts
from constituent.crm.groups.service import add_to_group, create_group
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.crm.searches.service import create_search
from constituent.kit.db import session_scope
from tests.browser.conftest import Site
from tests.browser.test_add_mailchimp_in_the_browser import (
    _connect_through_mailchimp_login,
    _log_in,
    _organization_and_contacts,
)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _crm_data(site: Site) -> dict[str, int]:
    with session_scope(site.database.sessions) as session:
        contact_id = list_contacts(session, limit=1)[0][0].id
        group = create_group(session, "Volunteers with a rather long name", actor="test")
        add_to_group(session, group.id, [contact_id], method="user", actor="test")
        search = create_search(
            session,
            SavedSearchCreate(
                name="Springfield", filter={"field": "city", "op": "eq", "value": "Springfield"}
            ),
        )
        return {"contact": contact_id, "group": group.id, "search": search.id}


def _pages(ids: dict[str, int], mailchimp_url: str, preview_url: str) -> list[str]:
    contact = f"/contacts/{ids['contact']}"
    return [
        "/",
        "/contacts",
        "/contacts/new",
        contact,
        f"{contact}/contributions",
        f"{contact}/activities",
        f"{contact}/groups",
        f"{contact}/changes",
        f"{contact}/delete",
        "/contacts/duplicates",
        "/groups",
        f"/groups/{ids['group']}",
        "/searches",
        "/searches/new",
        f"/searches/{ids['search']}",
        f"/searches/{ids['search']}/edit",
        "/import",
        "/integrations",
        "/integrations/mailchimp/new",
        mailchimp_url,
        f"{mailchimp_url}/content",
        f"{mailchimp_url}/merge-fields",
        f"{mailchimp_url}/settings",
        f"{mailchimp_url}/history",
        preview_url,
        f"{mailchimp_url}/remove",
        "/settings",
        "/tokens",
        "/admin/users",
        "/contacts/999999",  # an error page has the layout too
    ]


def _fit(page: Page) -> dict[str, Any]:
    measured: dict[str, Any] = page.evaluate(
        """() => ({
            scroll: document.documentElement.scrollWidth,
            inner: window.innerWidth,
            header: document.querySelector('.site-header').getBoundingClientRect().height,
            height: window.innerHeight,
            // What sticks out, so a failure names it: the outermost elements past the right edge.
            culprits: [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => !e.parentElement.closest('table'))
                .slice(0, 3)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')),
        })"""
    )
    return measured


def test_every_page_fits_a_phone_and_keeps_its_content_security_policy(
    page: Page, site: Site, screenshots: Path
) -> None:
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            violations.append(message.text)

    page.on("console", watch)
    _organization_and_contacts(site)
    ids = _crm_data(site)
    _log_in(page, site, screenshots)
    _connect_through_mailchimp_login(page, site, screenshots)
    expect(page).to_have_url(re.compile(r"/integrations/mailchimp/\d+$"))
    mailchimp_url = page.url.removeprefix(site.app.base_url)
    page.get_by_role("button", name="Start the first sync").click()
    page.get_by_role("button", name="Preview the next sync").click()
    expect(page.get_by_text("Nothing was written to Mailchimp.")).to_be_visible()
    preview_url = page.url.removeprefix(site.app.base_url)

    page.set_viewport_size(PHONE)
    too_wide, header_too_tall = [], []
    pictures = {mailchimp_url: "mailchimp-page", f"/contacts/{ids['contact']}": "contact"}
    for path in _pages(ids, mailchimp_url, preview_url):
        page.goto(site.app.base_url + path)
        fit = _fit(page)
        if fit["scroll"] > fit["inner"]:
            too_wide.append(f"{path}: {fit['scroll']} > {fit['inner']} ({', '.join(fit['culprits'])})")
        if fit["header"] > fit["height"] / 6:
            header_too_tall.append(f"{path}: {fit['header']}")
        if path in pictures:
            page.screenshot(path=screenshots / f"phone-{pictures[path]}.png")

    assert too_wide == [], f"pages wider than the phone: {too_wide}"
    assert header_too_tall == [], f"headers taller than a sixth of the screen: {header_too_tall}"
    assert violations == []


def test_the_api_docs_render_in_the_browser_without_the_internet(
    page: Page, site: Site, screenshots: Path
) -> None:
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(site.app.base_url) else None
        ),
    )

    page.goto(f"{site.app.base_url}/api/v1/docs")

    expect(page.get_by_role("heading", name=re.compile("Constituent API"))).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    page.screenshot(path=screenshots / "api-docs.png")
    assert outside == []
