"""API and CLI shapes for the organization settings (validated here, so both entry points agree)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator

from constituent.crm.contacts.emails import InvalidEmail, normalise_email


class OrganizationSettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    organization_name: str
    street: str
    city: str
    state: str
    postal_code: str
    country: str
    phone: str
    from_name: str
    from_email: str
    timezone: str
    major_donor_threshold: Decimal
    updated_at: datetime


class OrganizationSettingsUpdate(BaseModel):
    """Only the fields given are changed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    organization_name: str | None = Field(default=None, max_length=200)
    street: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2")
    phone: str | None = Field(default=None, max_length=40)
    from_name: str | None = Field(default=None, max_length=100)
    from_email: str | None = Field(default=None, max_length=320)
    timezone: str | None = Field(default=None, max_length=60)
    major_donor_threshold: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)

    @field_validator("country")
    @classmethod
    def _upper_country(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("from_email")
    @classmethod
    def _valid_from_email(cls, value: str | None) -> str | None:
        if not value:
            return value
        try:
            return normalise_email(value).address
        except InvalidEmail as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None and value not in available_timezones():
            raise ValueError(f"{value!r} is not a known IANA time zone (e.g. America/New_York)")
        return value
