"""Issue 16, fix what you can create: a contact's gifts are added with amounts as people write them,
edited in the same form and deleted (after asking); a date in the future asks "are you sure?" first;
the currency is a choice, not a pattern to match."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from constituent.crm.contributions.models import Contribution
from constituent.crm.contributions.schemas import ContributionCreate
from constituent.crm.contributions.service import create_contribution
from constituent.kit.clock import today
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact


def _gifts(db: TestDatabase, contact_id: int) -> list[tuple[Decimal, str, date, str]]:
    with db.sessions() as session:
        rows = session.query(Contribution).filter_by(contact_id=contact_id).order_by(Contribution.id)
        return [(g.amount, g.currency, g.received_on, g.method) for g in rows]


def _a_gift(db: TestDatabase, contact_id: int, amount: str = "25") -> int:
    with session_scope(db.sessions) as session:
        data = ContributionCreate(contact_id=contact_id, amount=Decimal(amount), received_on=date(2026, 3, 1))
        return create_contribution(session, data, "test").id


def test_amounts_typed_with_signs_and_separators_are_understood(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    tab = f"/contacts/{contact_id}/contributions"
    admin.get(tab)

    for typed in ("$1,500", "1 500,00"):
        answer = admin.submit(tab, {"amount": typed, "currency": "EUR", "received_on": "2026-03-01"})
        assert answer.status_code == 303, answer.text

    assert [gift[:2] for gift in _gifts(db, contact_id)] == [(Decimal("1500"), "EUR")] * 2


@pytest.mark.slow
def test_a_word_for_an_amount_is_refused_in_plain_words(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    tab = f"/contacts/{contact_id}/contributions"
    admin.get(tab)

    page = admin.submit(tab, {"amount": "lots", "currency": "USD", "received_on": "2026-03-01"}).text

    assert "is not an amount; type it like 1500 or 1,500.00" in page
    assert "valid decimal" not in page and _gifts(db, contact_id) == []


def test_the_currency_is_chosen_from_a_list(admin: Browser, db: TestDatabase) -> None:
    page = admin.get(f"/contacts/{a_contact(db)}/contributions").text

    assert '<select id="f-currency" name="currency"' in page
    assert '<option value="USD" selected>USD</option>' in page and '<option value="EUR">EUR</option>' in page


def test_a_date_in_the_future_is_saved_only_once_confirmed(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    tab = f"/contacts/{contact_id}/contributions"
    admin.get(tab)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    gift = {"amount": "50", "currency": "USD", "received_on": tomorrow}

    asked = admin.submit(tab, gift)

    assert asked.status_code == 400
    assert "This date is in the future." in asked.text and "Yes, this date is right" in asked.text
    assert f'value="{tomorrow}"' in asked.text, "what was typed stays"
    assert _gifts(db, contact_id) == []
    assert admin.submit(tab, {**gift, "confirm_future": "on"}).status_code == 303
    assert len(_gifts(db, contact_id)) == 1


def test_a_gift_is_edited_in_the_same_form_and_the_change_is_logged(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    gift_id = _a_gift(db, contact_id)
    tab = f"/contacts/{contact_id}/contributions"
    assert f'href="{tab}/{gift_id}/edit#add-gift-heading">Edit</a>' in admin.get(tab).text

    form = admin.get(f"{tab}/{gift_id}/edit").text
    assert "Edit contribution" in form and 'value="25.00"' in form

    changed = {"amount": "1.250,75", "currency": "GBP", "received_on": "2026-02-01", "method": ""}
    assert admin.submit(f"{tab}/{gift_id}/edit", changed).status_code == 303

    assert _gifts(db, contact_id) == [(Decimal("1250.75"), "GBP", date(2026, 2, 1), "")]
    assert "1250.75" in admin.get(f"/contacts/{contact_id}/changes").text


def test_a_gift_is_deleted_and_another_contacts_gift_cannot_be_reached(
    admin: Browser, db: TestDatabase
) -> None:
    ann = a_contact(db)
    bo = a_contact(db, "Bo", "Diaz", "bo@mailbox.org")
    anns, bos = _a_gift(db, ann), _a_gift(db, bo)
    admin.get(f"/contacts/{ann}/contributions")

    assert admin.submit(f"/contacts/{ann}/contributions/{bos}/delete").status_code == 404
    assert admin.get(f"/contacts/{ann}/contributions/{bos}/edit").status_code == 404
    assert admin.submit(f"/contacts/{ann}/contributions/{anns}/delete").status_code == 303

    assert _gifts(db, ann) == [] and len(_gifts(db, bo)) == 1


def test_the_profile_counts_each_tab_sums_up_the_giving_and_has_an_edit_button_at_the_top(
    admin: Browser, db: TestDatabase
) -> None:
    contact_id = a_contact(db)
    for amount in ("25", "1000", "5"):
        _a_gift(db, contact_id, amount)
    with session_scope(db.sessions) as session:
        data = ContributionCreate(
            contact_id=contact_id, amount=Decimal("7"), currency="EUR", received_on=date(2025, 1, 2)
        )
        create_contribution(session, data, "test")

    page = admin.get(f"/contacts/{contact_id}").text

    assert 'Contributions <span class="tab-count">(4)</span>' in page
    assert 'Groups <span class="tab-count">(0)</span>' in page
    assert "<dt>Total in USD</dt><dd>1030.00 USD <small>from 3 gifts</small></dd>" in page
    assert "<dt>Largest gift</dt><dd>1000.00 USD</dd>" in page
    assert "<dt>First / last gift</dt><dd>2025-01-02 / 2025-01-02</dd>" in page, "EUR apart"
    assert f'href="/contacts/{contact_id}?edit=1#edit">Edit</a>' in page
    assert '<details class="card" id="edit" open>' in admin.get(f"/contacts/{contact_id}?edit=1").text
