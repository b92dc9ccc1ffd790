"""Pages given an integer above 2^63 - 1 (an id in the address, a page number, a form's group id)
answer 422 with a plain page, never a 500 (issue 13, item 7)."""

from __future__ import annotations

import pytest

from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact

BIG = 2**64


@pytest.mark.parametrize(
    "path",
    [
        f"/contacts/{BIG}",
        f"/contacts/{BIG}/groups",
        f"/groups/{BIG}",
        f"/searches/{BIG}",
        f"/integrations/mailchimp/{BIG}",
    ],
)
def test_an_id_in_the_address_beyond_the_range_is_a_plain_422(staff: Browser, path: str) -> None:
    page = staff.get(path)
    assert page.status_code == 422, page.text
    assert "too large" in page.text
    assert "less_than_equal" not in page.text


@pytest.mark.slow
def test_a_group_id_in_a_form_beyond_the_range_is_a_plain_422(staff: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    staff.get(f"/contacts/{contact_id}/groups")
    response = staff.submit(f"/contacts/{contact_id}/groups", {"group_id": str(BIG)})
    assert response.status_code == 422, response.text
    assert "too large" in response.text


def test_a_contact_id_in_the_merge_form_beyond_the_range_is_refused_plainly(
    staff: Browser, db: TestDatabase
) -> None:
    contact_id = a_contact(db)
    staff.get(f"/contacts/{contact_id}")
    response = staff.submit(f"/contacts/{contact_id}/merge", {"other_id": str(BIG)})
    assert response.status_code == 400, response.text
    assert "choose the contact to merge" in response.text.lower()


def test_a_nul_in_a_form_is_a_plain_422(visitor: Browser) -> None:
    visitor.get("/login")
    response = visitor.submit("/login", {"email": "a\x00@mailbox.org", "password": "x"})
    assert response.status_code == 422, response.text
    assert "not valid" in response.text
