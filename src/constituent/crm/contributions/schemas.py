"""API shapes for contributions (gifts)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from constituent.crm.contributions.amounts import amount_from_text
from constituent.kit.numbers import DbInt

# Three-letter ISO 4217 code, stored upper-case whatever case it arrives in.
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$"), AfterValidator(str.upper)]
# Typed amounts ("$1,500", "1 500,00") are read by amounts.parse_amount; numbers pass as they are.
Amount = Annotated[Decimal, BeforeValidator(amount_from_text), Field(gt=0, max_digits=12, decimal_places=2)]


class ContributionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    contact_id: DbInt
    amount: Amount
    currency: Currency = "USD"
    received_on: date
    method: str = Field(default="", max_length=40)
    designation: str = Field(default="", max_length=200, description="The fund or purpose of the gift.")


class ContributionUpdate(BaseModel):
    """Only the fields given are changed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount: Amount | None = None
    currency: Currency | None = None
    received_on: date | None = None
    method: str | None = Field(default=None, max_length=40)
    designation: str | None = Field(default=None, max_length=200)


class ContributionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    contact_id: int
    amount: Decimal
    currency: str
    received_on: date
    method: str
    designation: str
    created_at: datetime
    updated_at: datetime
