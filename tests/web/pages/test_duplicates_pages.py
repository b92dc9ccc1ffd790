"""Issue 15: the "Possible duplicates" page, merging field by field, and deleting a contact from its page."""

from __future__ import annotations

from constituent.crm.contacts.models import Contact
from constituent.crm.contacts.schemas import ContactUpdate
from constituent.crm.contacts.service import get_contact, update_contact
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact, a_group, an_audience_holding_as_unsubscribed


def test_possible_duplicates_are_listed_and_merged_field_by_field(admin: Browser, db: TestDatabase) -> None:
    kyle = a_contact(db, "Kyle", "Silva", "kyle@mailbox.org")
    dup = a_contact(db, "K", "Silva", "KYLE@mailbox.org")
    with session_scope(db.sessions) as session:
        update_contact(session, dup, ContactUpdate(phone="555-0101"), "test")

    listed = admin.get("/contacts/duplicates").text
    compare = admin.get(f"/contacts/{kyle}/merge?other={dup}").text
    merged = admin.submit(f"/contacts/{kyle}/merge", {"other_id": str(dup), "pick_first_name": "other"})

    assert f'href="/contacts/{kyle}/merge?other={dup}">Compare and merge' in listed
    assert "Same email" in listed
    assert 'name="pick_first_name" value="other"' in compare and "555-0101" in compare
    assert merged.status_code == 303
    assert f"K Silva (contact {dup}) was merged into K Silva." in admin.get(merged.headers["location"]).text
    with db.sessions() as session:
        survivor = get_contact(session, kyle)
        assert (survivor.first_name, survivor.phone) == ("K", "555-0101")
        assert session.get(Contact, dup) is None


def test_deleting_a_contact_asks_first_and_says_what_happens_in_mailchimp(
    admin: Browser, db: TestDatabase
) -> None:
    ann = a_contact(db)

    confirm = admin.get(f"/contacts/{ann}/delete").text
    deleted = admin.submit(f"/contacts/{ann}/delete", {})

    assert "Nothing changes in Mailchimp: this contact is not in any audience." in confirm
    assert deleted.status_code == 303
    assert "Ann Lee was deleted." in admin.get(deleted.headers["location"]).text
    with db.sessions() as session:
        assert session.get(Contact, ann) is None


def test_the_delete_warning_says_an_unsubscribed_member_is_left_as_it_is(
    admin: Browser, db: TestDatabase, settings: Settings
) -> None:
    ann = a_contact(db)
    an_audience_holding_as_unsubscribed(db, settings, a_group(db), ann)

    confirm = admin.get(f"/contacts/{ann}/delete").text

    assert "ann@mailbox.org is unsubscribed in" in confirm and "it is left as it is." in confirm
