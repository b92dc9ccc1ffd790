"""Issue 16: no tab of the Mailchimp page is longer than two screens at 1280 px, with an organization's
worth of content (a dozen groups and searches, ten past runs) and the preview's first page of changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from constituent.crm.groups.service import create_group
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
SCREEN = {"width": 1280, "height": 800}
TABS = ("", "/content", "/merge-fields", "/settings", "/history")


def _groups_and_searches(site: Site, count: int) -> None:
    with session_scope(site.database.sessions) as session:
        for n in range(count):
            create_group(session, f"Volunteers of ward {n}", actor="test")
            city = {"field": "city", "op": "eq", "value": f"Town {n}"}
            create_search(session, SavedSearchCreate(name=f"Lives in town {n}", filter=city))


def test_every_mailchimp_tab_and_the_preview_fit_in_two_screens_at_1280_px(
    page: Page, site: Site, screenshots: Path
) -> None:
    _organization_and_contacts(site)
    _groups_and_searches(site, 6)
    _log_in(page, site, screenshots)
    _connect_through_mailchimp_login(page, site, screenshots)
    expect(page).to_have_url(re.compile(r"/integrations/mailchimp/\d+$"))
    url = page.url
    page.get_by_role("button", name="Start the first sync").click()
    for _ in range(8):  # ten runs in all: a full history table and chart
        page.get_by_role("button", name="Force Sync").click()
        expect(page.get_by_role("button", name="Force Sync")).to_be_enabled()
    page.get_by_role("button", name="Preview the next sync").click()
    expect(page.get_by_text("Nothing was written to Mailchimp.")).to_be_visible()
    preview = page.url

    page.set_viewport_size(SCREEN)
    heights = {}
    for address in [url + suffix for suffix in TABS] + [preview]:
        page.goto(address)
        heights[address.removeprefix(url) or "overview"] = page.evaluate(
            "document.documentElement.scrollHeight"
        )

    too_long = {path: height for path, height in heights.items() if height > 2 * SCREEN["height"]}
    assert too_long == {}, f"longer than two screens of {SCREEN['height']} px: {too_long} (all: {heights})"
