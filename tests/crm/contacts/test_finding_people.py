"""Issue 15: the contact search finds people as staff type them (it found nothing for "Kyle Silva")."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from constituent.crm.contacts import service
from constituent.crm.contacts.models import ContactKind
from constituent.crm.contacts.schemas import ContactCreate, EmailIn


def _person(session: Session, first: str, last: str, **fields: object) -> int:
    emails = fields.pop("emails", [])
    data = ContactCreate(first_name=first, last_name=last, emails=emails, **fields)  # type: ignore[arg-type]
    return service.create_contact(session, data, "test").id


def _found(session: Session, query: str) -> list[int]:
    contacts, total = service.list_contacts(session, search=query)
    assert total == len(contacts)
    return [c.id for c in contacts]


@pytest.fixture
def kyle(session: Session) -> int:
    return _person(
        session,
        "Kyle",
        "Silva",
        phone="+1 (555) 010-1234",
        external_id="NB-1001",
        emails=[EmailIn(address="K.Silva@Example.org")],
    )


@pytest.mark.parametrize(
    "query", ["Kyle Silva", "Silva, Kyle", "kyle silva", "SILVA KYLE", "Kyl", "silv", "ky sil"]
)
def test_a_full_or_partial_name_finds_the_person_in_either_order(
    session: Session, kyle: int, query: str
) -> None:
    _person(session, "Ana", "Lee")

    assert _found(session, query) == [kyle]


@pytest.mark.parametrize("query", ["k.silva@example.org", "k.silva", "5550101234", "555-010-1234", "nb-1001"])
def test_an_email_phone_digits_or_external_id_finds_the_person(
    session: Session, kyle: int, query: str
) -> None:
    _person(session, "Ana", "Lee", phone="555 999 0000")

    assert _found(session, query) == [kyle]


def test_exact_matches_come_first(session: Session, kyle: int) -> None:
    kylie = _person(session, "Kylie", "Silvano")
    silva_org = _person(session, "", "", kind=ContactKind.organization, organization_name="Kyle Silva Ltd")

    assert _found(session, "kyle silva") == [kyle, silva_org]
    assert _found(session, "kyl silva") == [silva_org, kyle, kylie]  # none exact: by last, first name


def test_a_percent_sign_is_searched_for_literally(session: Session, kyle: int) -> None:
    assert _found(session, "%") == []
