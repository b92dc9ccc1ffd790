"""The Mailchimp page is cut into tabs: Overview (status, syncs, problems), Audience content (tags,
interests, membership), Merge fields, Settings and History, each a page of its own that a form on it
returns to."""

from __future__ import annotations

import re

import pytest

from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.test_mailchimp_page import page_url

__all__ = ["page_url"]  # the connected integration's page, from the page tests

TABS = {
    "": ("Overview", "Force Sync|Start the first sync", "Tags and interests"),
    "/content": ("Audience content", "Tags and interests", "Start the first sync"),
    "/merge-fields": ("Merge fields", "No extra merge fields are mapped", "Tags and interests"),
    "/settings": ("Settings", "Nightly sync time", "Tags and interests"),
    "/history": ("History", "No sync has run yet", "Tags and interests"),
}


@pytest.mark.parametrize("suffix", list(TABS))
def test_each_tab_is_its_own_page_marked_current_holding_only_its_part(
    admin: Browser, page_url: str, suffix: str
) -> None:
    label, holds, not_here = TABS[suffix]

    page = admin.get(page_url + suffix).text

    assert re.search(rf'<a href="{page_url}{suffix}" aria-current="page">{label}</a>', page), label
    assert re.search(holds, page), holds
    assert not_here not in page


def test_a_form_on_a_tab_returns_to_that_tab(admin: Browser, page_url: str, account: McAccount) -> None:
    admin.get(page_url + "/settings")
    settings = admin.submit(f"{page_url}/settings", {"name": "Donors", "nightly_time": "03:00"})
    admin.get(page_url + "/merge-fields")
    field = admin.submit(f"{page_url}/merge-fields", {"field": "city", "tag": "CITY"})
    admin.get(page_url + "/content")
    prefix = admin.submit(f"{page_url}/mappings/prefix", {"prefix": "CRM: "})

    assert settings.headers["location"] == f"{page_url}/settings"
    assert field.headers["location"] == f"{page_url}/merge-fields"
    assert prefix.headers["location"] == f"{page_url}/content"
    assert "CITY" in admin.get(page_url + "/merge-fields").text


JARGON = {
    "": ("<strong>archived</strong> means removed from the audience", "confirm by email first"),
    "/content": ("<strong>Tag</strong>: a label on members", "<strong>Interest</strong>: a box members"),
    "/merge-fields": (
        "<strong>Merge field</strong>: a value kept on each member",
        "<strong>merge tag</strong>",
    ),
    "/history": (
        "<strong>archived</strong> means removed from the audience",
        "<strong>refused</strong> means",
    ),
}


@pytest.mark.parametrize("suffix", list(JARGON))
def test_each_tab_explains_its_jargon_in_small_muted_text(admin: Browser, page_url: str, suffix: str) -> None:
    page = admin.get(page_url + suffix).text

    muted = " ".join(re.findall(r'<p class="hint">.*?</p>|<small>.*?</small>', page, re.S))
    for words in JARGON[suffix]:
        assert words in muted, words
