"""Exactly one primary email whenever a contact has emails, kept by the service and by the database."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from constituent.crm.contacts import service
from constituent.crm.contacts.models import Contact, Email
from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.errors import Conflict, InvalidInput

ACTOR = "user:alice@example.org"


def _contact(session: Session, *addresses: str) -> Contact:
    emails = [EmailIn(address=a) for a in addresses]
    return service.create_contact(session, ContactCreate(first_name="Ann", emails=emails), ACTOR)


def _primaries(contact: Contact) -> list[str]:
    return [e.address for e in contact.emails if e.is_primary]


def test_the_first_email_becomes_primary(session: Session) -> None:
    contact = _contact(session, "a@example.org", "b@example.org")
    assert _primaries(contact) == ["a@example.org"]


def test_two_primary_emails_on_create_are_refused(session: Session) -> None:
    emails = [EmailIn(address="a@example.org", is_primary=True), EmailIn(address="b@x.org", is_primary=True)]
    with pytest.raises(InvalidInput) as error:
        service.create_contact(session, ContactCreate(first_name="Ann", emails=emails), ACTOR)
    assert error.value.field == "emails"


def test_an_invalid_email_is_refused_naming_its_position(session: Session) -> None:
    emails = [EmailIn(address="ok@example.org"), EmailIn(address="not an email")]
    with pytest.raises(InvalidInput) as error:
        service.create_contact(session, ContactCreate(first_name="Ann", emails=emails), ACTOR)
    assert error.value.field == "emails[1].address"


def test_setting_another_primary_demotes_the_old_one(session: Session) -> None:
    contact = _contact(session, "a@example.org", "b@example.org")

    service.set_primary_email(session, contact.emails[1].id, ACTOR)
    session.refresh(contact)

    assert _primaries(contact) == ["b@example.org"]


def test_adding_a_primary_email_demotes_the_old_one(session: Session) -> None:
    contact = _contact(session, "a@example.org")

    service.add_email(session, contact.id, EmailIn(address="c@example.org", is_primary=True), ACTOR)
    session.refresh(contact)

    assert _primaries(contact) == ["c@example.org"]


def test_the_first_email_added_later_becomes_primary(session: Session) -> None:
    contact = service.create_contact(session, ContactCreate(first_name="Ann"), ACTOR)
    email = service.add_email(session, contact.id, EmailIn(address="a@example.org"), ACTOR)
    assert email.is_primary


def test_removing_the_primary_promotes_the_next_email(session: Session) -> None:
    contact = _contact(session, "a@example.org", "b@example.org", "c@example.org")

    service.remove_email(session, contact.emails[0].id, ACTOR)
    session.refresh(contact)

    assert _primaries(contact) == ["b@example.org"]


def test_the_last_email_of_a_nameless_individual_cannot_be_removed(session: Session) -> None:
    contact = service.create_contact(session, ContactCreate(emails=[EmailIn(address="a@example.org")]), ACTOR)
    with pytest.raises(InvalidInput, match="last email"):
        service.remove_email(session, contact.emails[0].id, ACTOR)


def test_the_same_address_twice_on_one_contact_is_a_conflict(session: Session) -> None:
    contact = _contact(session, "a@example.org")
    with pytest.raises(Conflict):
        service.add_email(session, contact.id, EmailIn(address="A@Example.org"), ACTOR)


def test_updating_an_email_normalises_it_and_logs_the_change(session: Session) -> None:
    contact = _contact(session, "a@example.org")

    email = service.update_email(
        session, contact.emails[0].id, address="New@Example.org", status="bounced", actor=ACTOR
    )

    assert (email.address, email.address_normalized, email.status) == (
        "New@Example.org",
        "new@example.org",
        "bounced",
    )


def test_an_unknown_email_status_is_refused(session: Session) -> None:
    contact = _contact(session, "a@example.org")
    with pytest.raises(InvalidInput) as error:
        service.update_email(session, contact.emails[0].id, status="lost", actor=ACTOR)
    assert error.value.field == "status"


def test_the_database_itself_refuses_a_second_primary_email(session: Session) -> None:
    contact = _contact(session, "a@example.org")
    session.commit()

    session.add(
        Email(
            contact_id=contact.id,
            address="b@example.org",
            address_normalized="b@example.org",
            domain="example.org",
            is_primary=True,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
