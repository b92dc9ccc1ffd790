"""Contacts: who needs a name, external ids, listing, and the change log every change writes."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.crm.activities.changelog import changes_for_contact
from constituent.crm.contacts import service
from constituent.crm.contacts.models import ContactKind
from constituent.crm.contacts.schemas import ContactCreate, ContactOut, ContactUpdate, EmailIn
from constituent.crm.errors import Conflict, InvalidInput, NotFound
from constituent.models import ChangeLogEntry

ACTOR = "user:alice@example.org"


def test_creating_a_contact_writes_one_created_entry(session: Session) -> None:
    contact = service.create_contact(session, ContactCreate(first_name="Ann", last_name="Lee"), ACTOR)

    entries = changes_for_contact(session, contact.id)
    assert [(e.field, e.new_value, e.changed_by) for e in entries] == [("created", "Ann Lee", ACTOR)]


def test_updating_a_contact_logs_old_and_new_value_of_each_changed_field(session: Session) -> None:
    contact = service.create_contact(session, ContactCreate(first_name="Ann", city="Oldtown"), ACTOR)

    service.update_contact(session, contact.id, ContactUpdate(city="Newtown", first_name="Ann"), "import")

    latest = changes_for_contact(session, contact.id)[0]
    assert (latest.field, latest.old_value, latest.new_value, latest.changed_by) == (
        "city",
        "Oldtown",
        "Newtown",
        "import",
    )
    assert len(changes_for_contact(session, contact.id)) == 2


def test_an_individual_without_any_name_or_email_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput) as error:
        service.create_contact(session, ContactCreate(city="Nowhere"), ACTOR)
    assert error.value.field == "first_name"


def test_an_individual_with_only_an_email_is_accepted(session: Session) -> None:
    contact = service.create_contact(session, ContactCreate(emails=[EmailIn(address="x@example.org")]), ACTOR)
    assert contact.display_name == f"Contact {contact.id}"


def test_an_organization_needs_an_organization_name(session: Session) -> None:
    with pytest.raises(InvalidInput) as error:
        service.create_contact(session, ContactCreate(kind=ContactKind.organization, first_name="Bo"), ACTOR)
    assert error.value.field == "organization_name"


def test_changing_kind_to_vendor_without_an_organization_name_is_refused(session: Session) -> None:
    contact = service.create_contact(session, ContactCreate(first_name="Ann"), ACTOR)
    with pytest.raises(InvalidInput):
        service.update_contact(session, contact.id, ContactUpdate(kind=ContactKind.vendor), ACTOR)


def test_an_external_id_already_in_use_is_a_conflict(session: Session) -> None:
    service.create_contact(session, ContactCreate(first_name="Ann", external_id="X1"), ACTOR)
    with pytest.raises(Conflict, match="X1"):
        service.create_contact(session, ContactCreate(first_name="Bo", external_id="X1"), ACTOR)


def test_listing_finds_contacts_by_email_and_by_name_fragment(session: Session) -> None:
    ann = service.create_contact(
        session, ContactCreate(first_name="Ann", emails=[EmailIn(address="Ann@Example.org")]), ACTOR
    )
    bo = service.create_contact(session, ContactCreate(last_name="Bolton"), ACTOR)

    by_email, total = service.list_contacts(session, email="ANN@example.org")
    by_name, _ = service.list_contacts(session, search="bolt")
    everyone, everyone_total = service.list_contacts(session, limit=1)

    assert ([c.id for c in by_email], total) == ([ann.id], 1)
    assert [c.id for c in by_name] == [bo.id]
    assert (len(everyone), everyone_total) == (1, 2)


def test_deleting_a_contact_leaves_an_entry_in_the_log(session: Session) -> None:
    contact = service.create_contact(session, ContactCreate(first_name="Ann"), ACTOR)

    service.delete_contact(session, contact.id, ACTOR)

    with pytest.raises(NotFound):
        service.get_contact(session, contact.id)
    entry = session.scalars(select(ChangeLogEntry).where(ChangeLogEntry.field == "deleted")).one()
    assert (entry.entity_id, entry.old_value) == (contact.id, "Ann")


def test_contact_out_shows_the_emails(session: Session) -> None:
    contact = service.create_contact(
        session, ContactCreate(first_name="Ann", emails=[EmailIn(address=" ann@example.org ")]), ACTOR
    )
    shown = ContactOut.model_validate(contact)
    assert [(e.address, e.is_primary) for e in shown.emails] == [("ann@example.org", True)]
