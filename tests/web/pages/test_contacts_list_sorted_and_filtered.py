"""The Contacts list sorted by name, newest or last gift, narrowed by kind and status, with numbered pages
that keep the choices (issue 16, "Contacts list")."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event

from constituent.crm.contacts.models import ContactKind
from constituent.crm.contacts.schemas import ContactCreate
from constituent.crm.contacts.service import create_contact
from constituent.crm.contributions.schemas import ContributionCreate
from constituent.crm.contributions.service import create_contribution
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser


def _names(page: str) -> list[str]:
    return re.findall(r'<td><a href="/contacts/\d+">([^<]+)</a></td>', page)


def _people(db: TestDatabase) -> None:
    """Added in this order: Zoe (gave 2024), Ann (gave 2026), Acme (an organization), Bo (inactive),
    Cy (do not email)."""
    with session_scope(db.sessions) as session:
        zoe = create_contact(session, ContactCreate(first_name="Zoe", last_name="Adams"), "t")
        ann = create_contact(session, ContactCreate(first_name="Ann", last_name="Young"), "t")
        org = ContactCreate(kind=ContactKind.organization, organization_name="Acme Trust")
        create_contact(session, org, "t")
        create_contact(session, ContactCreate(first_name="Bo", last_name="Mills", is_active=False), "t")
        create_contact(session, ContactCreate(first_name="Cy", last_name="Lane", do_not_email=True), "t")
        for contact, day in ((zoe, date(2024, 5, 1)), (ann, date(2026, 1, 2))):
            gift = ContributionCreate(contact_id=contact.id, amount="10", received_on=day)
            create_contribution(session, gift, "t")


def test_contacts_are_sorted_by_name_by_newest_and_by_last_gift(admin: Browser, db: TestDatabase) -> None:
    _people(db)
    by_name = _names(admin.get("/contacts?sort=name").text)
    newest = _names(admin.get("/contacts?sort=newest").text)
    by_gift = _names(admin.get("/contacts?sort=last_gift").text)
    assert by_name == ["Acme Trust", "Zoe Adams", "Cy Lane", "Bo Mills", "Ann Young"]
    assert newest == ["Cy Lane", "Bo Mills", "Acme Trust", "Ann Young", "Zoe Adams"]
    assert by_gift[:2] == ["Ann Young", "Zoe Adams"] and len(by_gift) == 5


def test_contacts_are_narrowed_by_kind_and_by_status_in_words(admin: Browser, db: TestDatabase) -> None:
    _people(db)
    organizations = admin.get("/contacts?kind=organization").text
    inactive = admin.get("/contacts?status=inactive").text
    no_email = admin.get("/contacts?status=do_not_email").text
    active_people = admin.get("/contacts?kind=individual&status=active&sort=name").text
    assert _names(organizations) == ["Acme Trust"]
    assert _names(inactive) == ["Bo Mills"]
    assert _names(no_email) == ["Cy Lane"]
    assert _names(active_people) == ["Zoe Adams", "Ann Young"]
    assert '<option value="do_not_email">Do not email</option>' in organizations
    assert admin.get("/contacts?status=gone").status_code == 400  # a bad value, said plainly


def test_a_search_sent_with_the_choices_left_blank_lists_everyone_who_matches(
    admin: Browser, db: TestDatabase
) -> None:
    """The search form sends kind, status and sort as empty fields when none is chosen: that is "any",
    not a bad value (it showed "That did not work")."""
    _people(db)
    page = admin.get("/contacts?q=Young&kind=&status=&sort=")
    assert page.status_code == 200
    assert _names(page.text) == ["Ann Young"]


def test_numbered_pages_keep_the_sort_and_filters(admin: Browser, db: TestDatabase) -> None:
    with session_scope(db.sessions) as session:
        for n in range(360):
            create_contact(session, ContactCreate(first_name=f"P{n:03}", last_name="Doe"), "t")
    page = admin.get("/contacts?kind=individual&sort=name&page=3").text
    assert '<span aria-current="page">3</span>' in page
    for number in (1, 2, 4, 5, 8):
        assert f'<a href="/contacts?kind=individual&amp;sort=name&amp;page={number}">{number}</a>' in page
    assert "<span>…</span>" in page and 'page=6">6</a>' not in page  # 1 2 [3] 4 5 … 8
    assert _names(page)[0] == "P100 Doe"


@pytest.mark.slow
def test_a_sorted_filtered_page_costs_the_same_statements_at_any_size(
    admin: Browser, db: TestDatabase
) -> None:
    """The list must not issue a query per row: the statement count is the same for 5 and 60 contacts."""

    def statements_for(url: str) -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert admin.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    _people(db)
    url = "/contacts?kind=individual&status=active&sort=last_gift"
    few = statements_for(url)
    with session_scope(db.sessions) as session:
        for n in range(55):
            create_contact(session, ContactCreate(first_name=f"Q{n}", last_name="Roe"), "t")
    assert statements_for(url) == few
