"""The Mailchimp page's "Check the connection": the doctor's checks on a page, a merge field deleted in
the emulator found and fixed by an administrator's press; staff can check but not fix."""

from __future__ import annotations

import re

import pytest

from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.test_mailchimp_page import page_url  # noqa: F401 (the connected integration's page)


def _delete_merge_field(account: McAccount, tag: str) -> None:
    [audience] = account.client.get("/lists").json()["lists"]
    fields = account.client.get(f"/lists/{audience['id']}/merge-fields").json()["merge_fields"]
    [field] = [f for f in fields if f["tag"] == tag]
    account.client.delete(f"/lists/{audience['id']}/merge-fields/{field['merge_id']}").raise_for_status()


def _row(page: str, label: str) -> str:
    found = re.search(rf"<td>{re.escape(label)}</td>(.*?)</tr>", page, re.S)
    assert found, f"no row {label!r}"
    return found.group(1)


def test_the_page_offers_to_check_the_connection(admin: Browser, page_url: str) -> None:  # noqa: F811
    page = admin.get(page_url).text

    assert f'<form method="get" action="{page_url}/doctor"' in page
    assert "Check the connection" in page


@pytest.mark.slow
def test_a_deleted_merge_field_is_shown_with_its_fix_and_the_fix_button_recreates_it(
    admin: Browser,
    page_url: str,  # noqa: F811
    account: McAccount,
) -> None:
    _delete_merge_field(account, "PHONE")

    page = admin.get(f"{page_url}/doctor").text

    assert "<strong>Problem</strong>" in _row(page, "Our merge fields")
    assert "Missing in Mailchimp: PHONE." in page
    assert "To fix: Recreate PHONE (the automatic fix does this)" in page
    assert "OK" in _row(page, "Mailchimp accepts the credentials")
    assert "Fix what can be fixed" in page

    response = admin.submit(f"{page_url}/doctor/fix")

    assert response.status_code == 303 and response.headers["location"] == f"{page_url}/doctor"
    after = admin.get(f"{page_url}/doctor").text
    assert "Recreated the missing merge fields" in after
    assert "OK" in _row(after, "Our merge fields")
    # This test server cannot be reached from the emulator: the webhook stays a problem, said plainly.
    assert "Could not register the webhook" in after
    assert "<strong>Problem</strong>" in _row(after, "The webhook")


@pytest.mark.slow
def test_staff_can_check_but_not_fix(staff: Browser, page_url: str, account: McAccount) -> None:  # noqa: F811
    _delete_merge_field(account, "PHONE")

    page = staff.get(f"{page_url}/doctor").text

    assert "Missing in Mailchimp: PHONE." in page
    assert "Fix what can be fixed" not in page
    assert staff.submit(f"{page_url}/doctor/fix").status_code == 403
