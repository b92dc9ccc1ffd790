"""The preview of the next sync lists every change, paged on the server, and its filters (the kind of
change, part of the address) look through the whole plan: before, it kept the first 1,000 addresses and
filtered only inside them, so an address further down could not be found."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, select

from constituent.crm.contacts.models import Contact, ContactKind, Email
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.test_mailchimp_sync_extras import _member_count, _preview, page_url

__all__ = ["page_url"]  # the connected integration's page, from the page tests

PEOPLE = 1_234


def _many_people(db: TestDatabase, count: int) -> None:
    """``count`` eligible contacts with an address each, written in two bulk statements."""
    with db.sessions() as session:
        session.execute(
            insert(Contact),
            [
                {"kind": ContactKind.individual, "first_name": f"P{n}", "last_name": "Many"}
                for n in range(count)
            ],
        )
        ids = sorted(session.scalars(select(Contact.id)))
        session.execute(
            insert(Email),
            [
                {
                    "contact_id": contact_id,
                    "address": f"m{contact_id:05}@mailbox.org",
                    "address_normalized": f"m{contact_id:05}@mailbox.org",
                    "domain": "mailbox.org",
                    "is_primary": True,
                }
                for contact_id in ids
            ],
        )
        session.commit()


@pytest.mark.slow
def test_every_change_is_listed_a_page_at_a_time_and_the_filters_search_the_whole_plan(
    admin: Browser, page_url: str, account: McAccount, db: TestDatabase
) -> None:
    _many_people(db, PEOPLE)

    first = admin.get(_preview(admin, page_url)).text
    here = re.search(r'action="(/integrations/mailchimp/\d+/runs/\d+/preview)"', first)
    assert here is not None
    last_page = admin.get(f"{here.group(1)}?page=25").text
    found = admin.get(f"{here.group(1)}?action=add&address=M01234").text
    none = admin.get(f"{here.group(1)}?action=archive&address=m01234").text

    assert "All 1,234 addresses are listed" in first and "Page 1 of 25" in first
    assert first.count("<td>add</td>") == 50
    assert "<strong>archived</strong> means removed from the audience" in first  # the counts in words
    assert "Page 25 of 25" in last_page and last_page.count("<td>add</td>") == 34
    assert found.count("<td>add</td>") == 1 and "m01234@mailbox.org" in found and "1 address(es)." in found
    assert "No address with this kind of change." in none
    assert _member_count(account) == 0


def test_only_the_newest_preview_keeps_its_addresses_and_an_older_one_says_so(
    admin: Browser, page_url: str, db: TestDatabase
) -> None:
    """Month three: runs are kept for good and a preview now lists every address, so a daily preview of a
    big audience would pile up its rows; only the integration's newest preview keeps its list."""
    _many_people(db, 3)
    older = _preview(admin, page_url)
    newer = _preview(admin, page_url)

    old_page = admin.get(older).text
    new_page = admin.get(newer).text

    assert "A newer preview replaced this list" in old_page and "<td>add</td>" not in old_page
    assert re.search(r'<span class="count-number">3</span> <span class="count-label">added</span>', old_page)
    assert new_page.count("<td>add</td>") == 3 and "A newer preview replaced" not in new_page
