"""Which contact fields may be mapped onto a merge field, and how their values look in Mailchimp.

The allow-list is the contact's own columns a person would expect to see in an audience; the name,
address and phone already travel as FNAME, LNAME, ADDRESS and PHONE. Contribution facts (totals,
last gift) are left out on purpose: each would add a grouped subquery to the one SELECT that builds
a million members, for every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

from constituent.crm.contacts.models import Contact
from constituent.crm.errors import InvalidInput

# Mailchimp's rule for a merge tag (the emulator enforces the same).
TAG_PATTERN = re.compile(r"^[A-Z0-9_]{1,10}$")
# The sync writes these itself; EMAIL is the address, never a merge field of ours.
RESERVED_TAGS = frozenset({"FNAME", "LNAME", "ADDRESS", "PHONE", "EMAIL"})


@dataclass(frozen=True)
class ContactField:
    name: str  # as the user types it (the column's name)
    label: str  # the merge field's name when we create it in Mailchimp
    column: InstrumentedAttribute[Any]
    mc_type: str  # the type we create
    accepts: frozenset[str]  # types of an existing merge field we may reuse

    def value(self, raw: object) -> str:
        """The value as Mailchimp stores it: trimmed text, dates as YYYY-MM-DD, "" when empty."""
        if raw is None:
            return ""
        if isinstance(raw, datetime):
            return raw.date().isoformat()  # once per member: much cheaper than strftime
        if isinstance(raw, date):
            return raw.isoformat()
        return str(raw).strip()


@dataclass(frozen=True)
class MappedField:
    """One mapping as the sync uses it: which column goes into which merge tag."""

    tag: str
    field: ContactField


def _text(name: str, label: str, column: InstrumentedAttribute[Any]) -> ContactField:
    return ContactField(name, label, column, "text", frozenset({"text"}))


FIELDS: dict[str, ContactField] = {
    field.name: field
    for field in (
        _text("external_id", "External ID", Contact.external_id),
        _text("organization_name", "Organization", Contact.organization_name),
        _text("city", "City", Contact.city),
        _text("state", "State/Region", Contact.state),
        _text("postal_code", "Postal Code", Contact.postal_code),
        _text("country", "Country", Contact.country),
        _text("source", "Source", Contact.source),
        # A text field also holds an ISO date faithfully; a date field is what Mailchimp can segment on.
        ContactField("created_at", "Created", Contact.created_at, "date", frozenset({"date", "text"})),
    )
}


def contact_field(name: str) -> ContactField:
    field = FIELDS.get(name.strip().lower())
    if field is None:
        raise InvalidInput("field", f"unknown contact field {name!r}; choose one of: {', '.join(FIELDS)}")
    return field


def checked_tag(tag: str) -> str:
    """The merge tag in Mailchimp's form (upper case), or a clear error about what is wrong with it."""
    cleaned = tag.strip().upper()
    if cleaned in RESERVED_TAGS:
        raise InvalidInput(
            "tag",
            f"{cleaned} is written by the sync itself (as are {', '.join(sorted(RESERVED_TAGS))}); "
            "choose another tag",
        )
    if not TAG_PATTERN.match(cleaned):
        raise InvalidInput("tag", "a merge tag has 1 to 10 characters: letters A-Z, digits and _")
    return cleaned


def remote_value(mc_type: str, raw: object) -> str:
    """A mapped value as Mailchimp returned it, normalised like ``ContactField.value`` (for a full resync)."""
    text = "" if raw is None else str(raw).strip()
    if mc_type != "date" or not text:
        return text
    for layout in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, layout).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return text
