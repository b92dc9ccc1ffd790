"""The Mailchimp page's Settings card: an administrator changes the options, a bad value is named and
nothing changes, staff see the settings but cannot change them."""

from __future__ import annotations

from html import unescape

import pytest

from tests.web.pages.conftest import Browser
from tests.web.pages.test_mailchimp_page import page_url as page_url  # the connected integration's page

SAVED = {
    "name": "Donors 2026",
    "nightly_time": "21:30",
    "double_optin": "on",
    "accept_profile_changes": "on",
    "removal_guard_percent": "35",
}


def test_an_admin_changes_the_settings_and_sees_them(admin: Browser, page_url: str) -> None:
    before = unescape(admin.get(page_url + "/settings").text)

    saved = admin.submit(f"{page_url}/settings", SAVED)
    page = unescape(admin.get(page_url + "/settings").text)

    assert 'name="nightly_time" type="time" required value="02:00"' in before
    assert "24-hour, in the organization's time zone." in before
    assert saved.status_code == 303
    assert "Settings saved." in page
    assert "<h1>Donors 2026</h1>" in page
    assert 'value="21:30"' in page and 'value="35"' in page
    assert '<input type="checkbox" name="double_optin" checked>' in page
    assert '<input type="checkbox" name="accept_profile_changes" checked>' in page


def test_unticking_a_box_switches_it_off(admin: Browser, page_url: str) -> None:
    admin.get(page_url + "/settings")
    admin.submit(f"{page_url}/settings", SAVED)

    admin.submit(f"{page_url}/settings", {**SAVED, "double_optin": "", "accept_profile_changes": ""})
    page = admin.get(page_url + "/settings").text

    assert '<input type="checkbox" name="double_optin">' in page
    assert '<input type="checkbox" name="accept_profile_changes">' in page


def test_a_bad_value_is_named_and_nothing_is_saved(admin: Browser, page_url: str) -> None:
    admin.get(page_url + "/settings")

    admin.submit(f"{page_url}/settings", {**SAVED, "removal_guard_percent": "150"})
    admin.submit(f"{page_url}/settings", {**SAVED, "nightly_time": "9am"})
    page = unescape(admin.get(page_url + "/settings").text)

    guard = "Settings not saved. Removal guard (percent): must be a whole percent from 1 to 100, not 150"
    assert guard in page
    assert "Settings not saved. Nightly sync time: '9am' is not HH:MM (24-hour)" in page
    assert "removal_guard_percent:" not in page and "nightly_time:" not in page
    assert "Donors 2026" not in page and 'value="02:00"' in page


@pytest.mark.slow
def test_staff_see_the_settings_but_cannot_change_them(admin: Browser, staff: Browser, page_url: str) -> None:
    page = staff.get(page_url + "/settings").text

    response = staff.submit(f"{page_url}/settings", SAVED)

    assert "Only administrators can change these." in page
    assert 'name="removal_guard_percent"' not in page  # no form to fill
    assert response.status_code == 403
    assert "Form expired" not in response.text  # refused for the role, not for the form token
    assert "Donors 2026" not in admin.get(page_url + "/settings").text
