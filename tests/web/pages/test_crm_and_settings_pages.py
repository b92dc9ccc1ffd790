"""The pages behind the navigation: contacts with search and paging, groups, searches, and the
organization settings that the Mailchimp form starts from."""

from __future__ import annotations

from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.crm.groups.service import create_group
from constituent.crm.organization.service import get_settings
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser


def _contacts(db: TestDatabase, count: int) -> None:
    with session_scope(db.sessions) as session:
        for n in range(count):
            email = EmailIn(address=f"person{n}@mailbox.org", is_primary=True)
            create_contact(
                session, ContactCreate(first_name=f"Person{n}", last_name="Doe", emails=[email]), "t"
            )


def test_contacts_are_listed_fifty_to_a_page(admin: Browser, db: TestDatabase) -> None:
    _contacts(db, 51)
    first = admin.get("/contacts").text
    assert "51 contact(s)." in first
    assert "Page 1 of 2" in first and "person0@mailbox.org" in first
    second = admin.get("/contacts?page=2").text
    assert "person50@mailbox.org" in second and "person0@mailbox.org" not in second


def test_contacts_can_be_searched_by_name_or_email(admin: Browser, db: TestDatabase) -> None:
    _contacts(db, 3)
    page = admin.get("/contacts?q=person2").text
    assert "1 contact(s) matching “person2”." in page
    assert "person2@mailbox.org" in page and "person1@mailbox.org" not in page


def test_groups_show_their_member_counts_and_searches_include_the_quick_lists(
    admin: Browser, db: TestDatabase
) -> None:
    with session_scope(db.sessions) as session:
        create_group(session, "Volunteers", "People who help", actor="t")
    groups = admin.get("/groups").text
    assert ">Volunteers</a></td><td>0</td><td>People who help</td>" in groups
    assert "quick list" in admin.get("/searches").text


def test_an_admin_changes_the_organization_settings(admin: Browser, db: TestDatabase) -> None:
    admin.get("/settings")
    values = {"organization_name": "Friends of Parks", "street": "1 Elm St", "city": "Springfield"}
    values |= {"state": "IL", "postal_code": "62701", "country": "us", "phone": "", "from_name": "Parks"}
    values |= {"from_email": "news@parks.co.uk", "timezone": "America/Chicago"}

    response = admin.submit("/settings", values)

    assert response.status_code == 303
    assert "The organization settings were saved." in admin.get("/settings").text
    with db.sessions() as session:
        org = get_settings(session)
        assert (org.organization_name, org.country, org.timezone) == (
            "Friends of Parks",
            "US",
            "America/Chicago",
        )


def test_a_wrong_time_zone_is_named_and_nothing_is_saved(admin: Browser, db: TestDatabase) -> None:
    admin.get("/settings")
    response = admin.submit(
        "/settings", {"organization_name": "Changed", "country": "US", "timezone": "Mars/Base"}
    )

    assert response.status_code == 400
    assert "Time zone: Choose a time zone from the list." in response.text
    with db.sessions() as session:
        assert get_settings(session).organization_name == ""


def test_staff_see_the_settings_but_cannot_change_them(staff: Browser) -> None:
    page = staff.get("/settings").text
    assert "Only administrators change these." in page
    assert staff.submit("/settings", {"organization_name": "Takeover"}).status_code == 403
