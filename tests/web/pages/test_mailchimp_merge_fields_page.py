"""The Mailchimp page's merge-field section: map a contact field (created in Mailchimp), see it listed,
have a bad tag named, remove it again; only administrators may change it."""

from __future__ import annotations

import pytest

from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.test_mailchimp_page import page_url as page_url  # the connected integration's page


def _remote_tags(account: McAccount) -> dict[str, str]:
    [audience] = account.client.get("/lists").json()["lists"]
    fields = account.client.get(f"/lists/{audience['id']}/merge-fields", params={"count": 100}).json()
    return {f["tag"]: f["type"] for f in fields["merge_fields"]}


def test_an_admin_maps_a_field_sees_it_listed_and_removes_it(
    admin: Browser, page_url: str, account: McAccount
) -> None:
    assert "No extra merge fields are mapped." in admin.get(page_url + "/merge-fields").text

    mapped = admin.submit(f"{page_url}/merge-fields", {"field": "created_at", "tag": "joined"})
    page = admin.get(page_url + "/merge-fields").text

    assert mapped.status_code == 303
    assert "created_at goes to JOINED from the next sync on." in page
    assert "<td><code>JOINED</code></td><td>date</td>" in page
    assert _remote_tags(account)["JOINED"] == "date"

    removed = admin.submit(f"{page_url}/merge-fields/created_at/remove")
    page = admin.get(page_url + "/merge-fields").text

    assert removed.status_code == 303
    assert "No extra merge fields are mapped." in page
    assert "JOINED" in _remote_tags(account)  # Mailchimp keeps the field and its values


def test_a_bad_tag_is_named_and_nothing_is_mapped(admin: Browser, page_url: str, account: McAccount) -> None:
    admin.get(page_url + "/merge-fields")

    admin.submit(f"{page_url}/merge-fields", {"field": "city", "tag": "PHONE"})
    page = admin.get(page_url + "/merge-fields").text

    assert "Not mapped. tag: PHONE is written by the sync itself" in page
    assert "No extra merge fields are mapped." in page
    assert set(_remote_tags(account)) == {"FNAME", "LNAME", "ADDRESS", "PHONE"}


@pytest.mark.slow
def test_staff_cannot_change_the_mappings(admin: Browser, staff: Browser, page_url: str) -> None:
    staff.get(page_url + "/merge-fields")

    response = staff.submit(f"{page_url}/merge-fields", {"field": "city", "tag": "TOWN"})

    assert response.status_code == 403
    assert "Form expired" not in response.text  # refused for the role, not for the form token
    assert "No extra merge fields are mapped." in admin.get(page_url + "/merge-fields").text
