"""Issue 16: amounts typed the way people write them are understood ("$1,500", "1 500,00"), not refused
with "Input should be a valid decimal"; what cannot be an amount is refused with a sentence."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from constituent.crm.contributions.amounts import AmountUnreadable, parse_amount
from constituent.crm.contributions.schemas import ContributionCreate


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1500", "1500"),
        ("$1,500", "1500"),
        ("1,500.00", "1500.00"),
        ("1 500,00", "1500.00"),
        ("1.500,50", "1500.50"),
        ("€ 20", "20"),
        ("20 EUR", "20"),
        ("USD 1,234,567.89", "1234567.89"),
        ("12,5", "12.5"),
        ("0.99", "0.99"),
        ("1\u00a0500,00", "1500.00"),
        ("1'500.00", "1500.00"),
        ("-3", "-3"),
    ],
)
def test_an_amount_is_read_as_people_write_it(typed: str, amount: str) -> None:
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["", "abc", "12a", "$", "1-2", "--5"])
def test_what_is_not_an_amount_is_refused_with_a_sentence(typed: str) -> None:
    with pytest.raises(AmountUnreadable, match=re.escape("is not an amount; type it like 1500 or 1,500.00")):
        parse_amount(typed)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2))
def test_an_amount_written_with_thousands_separators_in_either_style_reads_back_the_same(
    value: Decimal,
) -> None:
    english = f"{value:,.2f}"
    european = english.replace(",", " ").replace(".", ",")
    assert parse_amount(english) == value
    assert parse_amount(european) == value
    assert parse_amount(f"${english}") == value


def test_the_schema_reads_typed_amounts_for_the_page_the_api_and_the_cli_alike() -> None:
    gift = ContributionCreate(contact_id=1, amount="$1,500", received_on=date(2026, 3, 1))  # type: ignore[arg-type]
    assert gift.amount == Decimal("1500")
    with pytest.raises(ValidationError, match="is not an amount"):
        ContributionCreate(contact_id=1, amount="lots", received_on=date(2026, 3, 1))  # type: ignore[arg-type]
