"""What goes in and out of the contact service (the API and CLI speak these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from constituent.crm.contacts.models import ContactKind, EmailStatus


class EmailIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    address: str = Field(max_length=320)
    is_primary: bool = False
    status: EmailStatus = EmailStatus.ok


class EmailAdd(EmailIn):
    """An email added to an existing contact; one another contact holds is refused unless allowed."""

    allow_duplicate: bool = False


class _ContactFields(BaseModel):
    """Limits mirror the column sizes so PostgreSQL never sees a value it would reject."""

    model_config = ConfigDict(str_strip_whitespace=True)

    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    organization_name: str = Field("", max_length=200)
    is_active: bool = True
    is_deceased: bool = False
    do_not_email: bool = False
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: str = Field("", max_length=2, description="ISO 3166 two-letter code.")
    phone: str = Field("", max_length=40)
    external_id: str | None = Field(None, max_length=100)
    source: str = Field("", max_length=50)


class ContactCreate(_ContactFields):
    kind: ContactKind = ContactKind.individual
    emails: list[EmailIn] = Field(default_factory=list)
    # Creating a contact with an email another contact holds is refused (409 naming it) unless set.
    allow_duplicate: bool = False


class ContactUpdate(BaseModel):
    """Only the fields that are set change; leave a field out to keep it."""

    model_config = ConfigDict(str_strip_whitespace=True)

    kind: ContactKind | None = None
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    organization_name: str | None = Field(None, max_length=200)
    is_active: bool | None = None
    is_deceased: bool | None = None
    do_not_email: bool | None = None
    street: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, max_length=2)
    phone: str | None = Field(None, max_length=40)
    external_id: str | None = Field(None, max_length=100)
    source: str | None = Field(None, max_length=50)

    def changes(self) -> dict[str, Any]:
        """The fields the caller set; ``external_id`` may be set to None on purpose to clear it."""
        values = self.model_dump(exclude_unset=True)
        return {k: v for k, v in values.items() if v is not None or k == "external_id"}


class EmailOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    address: str
    address_normalized: str
    domain: str
    is_primary: bool
    status: EmailStatus
    created_at: datetime
    updated_at: datetime


class ContactOut(_ContactFields):
    model_config = ConfigDict(from_attributes=True, str_strip_whitespace=False)

    id: int
    kind: ContactKind
    display_name: str
    created_at: datetime
    updated_at: datetime
    emails: list[EmailOut]
