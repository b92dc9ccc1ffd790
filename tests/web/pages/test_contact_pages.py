"""A contact's profile: new-contact form, Summary (edit, emails), Contributions, Activities, Change Log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from constituent.crm.activities.service import record_activity
from constituent.crm.contacts.service import get_contact
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact


@pytest.mark.slow
def test_a_new_contact_is_added_with_the_form_and_opens_on_its_summary(
    admin: Browser, db: TestDatabase
) -> None:
    admin.get("/contacts/new")
    response = admin.submit(
        "/contacts",
        {
            "kind": "individual",
            "first_name": "Rosa",
            "last_name": "Parks",
            "email": "rosa@mailbox.org",
            "city": "Montgomery",
            "country": "us",
            "is_active": "on",
        },
    )
    assert response.status_code == 303
    page = admin.get(response.headers["location"]).text
    assert "Rosa Parks was added." in page
    assert "rosa@mailbox.org" in page and "Montgomery, US" in page


def test_a_new_contact_with_an_email_someone_holds_warns_and_links_to_them(
    admin: Browser, db: TestDatabase
) -> None:
    """Issue 15: "New contact" did not warn about an existing person with the same address."""
    rosa = {"kind": "individual", "first_name": "Rosa", "email": "rosa@mailbox.org", "is_active": "on"}
    admin.get("/contacts/new")
    first = admin.submit("/contacts", rosa)
    rosa_url = first.headers["location"]

    admin.get("/contacts/new")
    warned = admin.submit("/contacts", {**rosa, "first_name": "R", "email": "ROSA@mailbox.org"})
    added = admin.submit("/contacts", {**rosa, "first_name": "R", "allow_duplicate": "on"})

    assert warned.status_code == 409
    assert f'<a href="{rosa_url}">Open Rosa</a> instead' in warned.text
    assert "ROSA@mailbox.org is already the email of" in warned.text
    assert added.status_code == 303


@pytest.mark.slow
def test_adding_an_email_someone_else_holds_warns_links_to_them_and_can_be_done_anyway(
    admin: Browser, db: TestDatabase
) -> None:
    """Issue 15: adding an address to a contact never said another person already had it."""
    rosa = {"kind": "individual", "first_name": "Rosa", "email": "rosa@mailbox.org", "is_active": "on"}
    ann = {"kind": "individual", "first_name": "Ann", "email": "ann@mailbox.org", "is_active": "on"}
    admin.get("/contacts/new")
    rosa_url = admin.submit("/contacts", rosa).headers["location"]
    admin.get("/contacts/new")
    ann_url = admin.submit("/contacts", ann).headers["location"]

    admin.get(ann_url)
    warned = admin.submit(f"{ann_url}/emails", {"address": "Rosa@Mailbox.org"})
    page = warned.text

    assert warned.status_code == 409
    assert "Rosa@Mailbox.org is already the email of" in page
    assert f'<a href="{rosa_url}">Open Rosa</a> instead' in page
    assert 'name="allow_duplicate"' in page  # offered: add it anyway
    assert 'value="Rosa@Mailbox.org"' in page  # what was typed is kept
    assert "rosa@mailbox.org" not in admin.get(ann_url).text.lower().split("add an email")[0]  # not added

    added = admin.submit(f"{ann_url}/emails", {"address": "Rosa@Mailbox.org", "allow_duplicate": "on"})
    assert "Rosa@Mailbox.org was added." in admin.get(added.headers["location"]).text


def test_the_new_contact_form_names_the_field_that_is_wrong(admin: Browser, db: TestDatabase) -> None:
    admin.get("/contacts/new")
    response = admin.submit("/contacts", {"kind": "organization", "first_name": "Rosa"})
    assert response.status_code == 400
    assert 'id="f-organization_name-error"' in response.text
    assert "an organization needs an organization name" in response.text
    bad_email = admin.submit("/contacts", {"kind": "individual", "email": "not-an-email"})
    assert bad_email.status_code == 400 and "is not a valid email address" in bad_email.text


def test_the_summary_edit_form_saves_the_changes_in_the_change_log(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    admin.get(f"/contacts/{contact_id}")
    values = {"kind": "individual", "first_name": "Anne", "last_name": "Lee", "city": "Springfield"}
    response = admin.submit(f"/contacts/{contact_id}", {**values, "is_active": "on", "do_not_email": "on"})
    assert response.status_code == 303
    with db.sessions() as session:
        contact = get_contact(session, contact_id)
        assert (contact.first_name, contact.city, contact.do_not_email) == ("Anne", "Springfield", True)
    log = admin.get(f"/contacts/{contact_id}/changes").text
    assert "<td>First name changed from “Ann” to “Anne”</td><td>admin@mailbox.org</td>" in log
    assert "<td>Do not email changed from no to yes</td>" in log


def test_emails_are_added_marked_made_primary_and_removed(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    admin.get(f"/contacts/{contact_id}")
    admin.submit(f"/contacts/{contact_id}/emails", {"address": "ann@work.co.uk", "primary": "true"})
    with db.sessions() as session:
        emails = {e.address: e for e in get_contact(session, contact_id).emails}
        assert emails["ann@work.co.uk"].is_primary and not emails["ann@mailbox.org"].is_primary
        old_id = emails["ann@mailbox.org"].id
    admin.submit(f"/contacts/{contact_id}/emails/{old_id}/status", {"status": "bounced"})
    assert "ann@mailbox.org is marked bounced." in admin.get(f"/contacts/{contact_id}").text
    admin.submit(f"/contacts/{contact_id}/emails/{old_id}/primary")
    admin.submit(f"/contacts/{contact_id}/emails/{old_id}/remove")
    with db.sessions() as session:
        remaining = get_contact(session, contact_id).emails
        assert [(e.address, e.is_primary) for e in remaining] == [("ann@work.co.uk", True)]


def test_a_contribution_is_entered_on_the_contributions_tab(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    admin.get(f"/contacts/{contact_id}/contributions")
    response = admin.submit(
        f"/contacts/{contact_id}/contributions",
        {"amount": "25.50", "currency": "usd", "received_on": "2026-03-01", "method": "check"},
    )
    assert response.status_code == 303
    page = admin.get(f"/contacts/{contact_id}/contributions").text
    assert "The contribution of 25.50 USD was added." in page
    assert "<td>2026-03-01</td><td>25.50 USD</td><td>check</td>" in page


def test_a_contribution_without_a_positive_amount_is_refused_at_the_field(
    admin: Browser, db: TestDatabase
) -> None:
    contact_id = a_contact(db)
    admin.get(f"/contacts/{contact_id}/contributions")
    response = admin.submit(
        f"/contacts/{contact_id}/contributions", {"amount": "-3", "received_on": "2026-03-01"}
    )
    assert response.status_code == 400
    assert 'id="f-amount-error"' in response.text and "must be more than 0" in response.text


def test_the_activities_tab_lists_what_happened_newest_first(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    with session_scope(db.sessions) as session:
        record_activity(
            session, contact_id, "email", "Spring appeal", datetime(2026, 3, 1, tzinfo=UTC), "Mailchimp"
        )
        record_activity(
            session, contact_id, "unsubscribe", "Left", datetime(2026, 4, 1, tzinfo=UTC), "Mailchimp"
        )
    page = admin.get(f"/contacts/{contact_id}/activities").text
    assert page.index("Left") < page.index("Spring appeal")
    assert 'aria-current="page">Activities <span class="tab-count">(2)</span></a>' in page


def test_an_unknown_contact_is_a_plain_not_found_page(admin: Browser) -> None:
    response = admin.get("/contacts/999999")
    assert response.status_code == 404 and "Contact 999999 not found." in response.text


def test_another_contacts_email_cannot_be_reached_through_this_contacts_url(
    admin: Browser, db: TestDatabase
) -> None:
    first, second = a_contact(db), a_contact(db, "Bo", "Diaz", "bo@mailbox.org")
    with db.sessions() as session:
        bo_email = get_contact(session, second).emails[0].id
    admin.get(f"/contacts/{first}")
    response = admin.submit(f"/contacts/{first}/emails/{bo_email}/remove")
    assert response.status_code == 400
    with db.sessions() as session:
        assert len(get_contact(session, second).emails) == 1


def test_the_change_log_says_who_and_what_in_words(admin: Browser, db: TestDatabase) -> None:
    """Issue 16: the log showed `user:1`, `email` / `is_primary` / `False` / `True`."""
    contact_id = a_contact(db)
    admin.get(f"/contacts/{contact_id}")
    admin.submit(f"/contacts/{contact_id}/emails", {"address": "ann@work.co.uk", "primary": "true"})

    with db.sessions() as session:
        [first] = [e.id for e in get_contact(session, contact_id).emails if e.address == "ann@mailbox.org"]
    admin.submit(f"/contacts/{contact_id}/emails/{first}/primary")

    log = admin.get(f"/contacts/{contact_id}/changes").text

    assert "<td>email ann@work.co.uk added</td><td>admin@mailbox.org</td>" in log
    assert "<td>email ann@mailbox.org no longer primary</td>" in log
    assert "<td>email ann@mailbox.org made primary</td>" in log
    assert "user:" not in log and "is_primary" not in log


def test_a_call_is_logged_on_the_profile_with_its_day_and_who_logged_it(
    admin: Browser, db: TestDatabase
) -> None:
    contact_id = a_contact(db)
    tab = f"/contacts/{contact_id}/activities"
    assert '<option value="meeting">Meeting</option>' in admin.get(tab).text

    logged = admin.submit(tab, {"type": "call", "on": "2026-03-02", "subject": "Thanked for the gift"})

    assert logged.status_code == 303
    page = admin.get(tab).text
    assert "<td>Call</td><td>Thanked for the gift</td><td>admin@mailbox.org</td>" in page
    assert "2026-03-02 12:00 UTC" in page


def test_an_activity_without_words_or_of_an_unknown_type_is_refused_on_its_field(
    admin: Browser, db: TestDatabase
) -> None:
    contact_id = a_contact(db)
    tab = f"/contacts/{contact_id}/activities"
    admin.get(tab)

    page = admin.submit(tab, {"type": "party", "on": "2026-03-02", "subject": ""})

    assert page.status_code == 400
    assert (
        "Choose note, call, meeting or email." in page.text
        and "Say in a few words what happened." in page.text
    )
