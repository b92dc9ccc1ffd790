"""Contributions: positive amounts in a currency, on a contact, every change in the change log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.crm.activities.models import ChangeLogEntry
from constituent.crm.contacts.models import Contact, ContactKind
from constituent.crm.contributions import service
from constituent.crm.contributions.schemas import ContributionCreate, ContributionUpdate
from constituent.crm.errors import NotFound

ACTOR = "user:treasurer@example.org"


def _contact(session: Session) -> int:
    contact = Contact(kind=ContactKind.individual, first_name="Grace")
    session.add(contact)
    session.flush()
    return contact.id


def _gift(contact_id: int, amount: str = "25.00", on: date = date(2024, 3, 1)) -> ContributionCreate:
    return ContributionCreate(contact_id=contact_id, amount=Decimal(amount), currency="eur", received_on=on)


def _log(session: Session) -> list[tuple[str, str | None, str | None]]:
    entries = session.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.id))
    return [(e.field, e.old_value, e.new_value) for e in entries if e.entity == "contribution"]


def test_a_contribution_is_created_and_logged_on_its_contact(session: Session) -> None:
    contact_id = _contact(session)
    gift = service.create_contribution(session, _gift(contact_id), ACTOR)
    session.commit()
    assert gift.amount == Decimal("25.00") and gift.currency == "EUR"
    assert _log(session) == [("created", None, "25.00 EUR on 2024-03-01")]


def test_updating_a_contribution_logs_each_changed_field(session: Session) -> None:
    contact_id = _contact(session)
    gift = service.create_contribution(session, _gift(contact_id), ACTOR)
    service.update_contribution(
        session, gift.id, ContributionUpdate(amount=Decimal("30"), designation="Building fund"), ACTOR
    )
    session.commit()
    assert service.get_contribution(session, gift.id).amount == Decimal("30")
    assert _log(session)[1:] == [("amount", "25.00", "30"), ("designation", "", "Building fund")]


def test_deleting_a_contribution_removes_it_and_logs_what_it_was(session: Session) -> None:
    contact_id = _contact(session)
    gift = service.create_contribution(session, _gift(contact_id), ACTOR)
    service.delete_contribution(session, gift.id, ACTOR)
    session.commit()
    with pytest.raises(NotFound):
        service.get_contribution(session, gift.id)
    assert _log(session)[-1] == ("deleted", "25.00 EUR on 2024-03-01", None)


def test_contributions_are_listed_newest_first_per_contact(session: Session) -> None:
    ada, bob = _contact(session), _contact(session)
    for day in (1, 3, 2):
        service.create_contribution(session, _gift(ada, on=date(2024, 1, day)), ACTOR)
    service.create_contribution(session, _gift(bob), ACTOR)
    page, total = service.list_contributions(session, contact_id=ada, limit=2)
    assert total == 3
    assert [g.received_on.day for g in page] == [3, 2]
    assert service.list_contributions(session)[1] == 4


def test_a_contribution_for_an_unknown_contact_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        service.create_contribution(session, _gift(404), ACTOR)


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [("0", "USD", "amount"), ("-1", "USD", "amount"), ("1.001", "USD", "amount"), ("5", "US", "currency")],
)
def test_bad_amounts_and_currencies_are_rejected_naming_the_field(
    amount: str, currency: str, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        ContributionCreate(
            contact_id=1, amount=Decimal(amount), currency=currency, received_on=date(2024, 1, 1)
        )
    assert error.value.errors()[0]["loc"] == (field,)
