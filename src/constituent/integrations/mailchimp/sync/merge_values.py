"""Merge values and interests in the exact shape Mailchimp returns them.

Both sides of the sync go through these functions: the desired state built from the CRM, and the
members a full refresh reads back from Mailchimp. A member whose data has not changed then has the
same fingerprint on both sides, and costs no request.

Mailchimp's rules (and the emulator's): text values come back trimmed, an empty value is ``""``,
an address is an object with all six keys and ``country`` defaulting to ``"US"``, and an address
lacking any of addr1, city, state or zip is refused ("Please enter a complete address"), so we only
send complete ones.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from sys import intern
from typing import Any

from constituent.integrations.mailchimp.merge_fields.catalog import remote_value

TEXT_FIELDS = ("FNAME", "LNAME", "PHONE")
ADDRESS_FIELD = "ADDRESS"
# The merge fields a sync writes; any other field in the audience belongs to someone else.
MANAGED_MERGE_FIELDS = ("FNAME", "LNAME", ADDRESS_FIELD, "PHONE")
ADDRESS_KEYS = ("addr1", "addr2", "city", "state", "zip", "country")
ADDRESS_REQUIRED = ("addr1", "city", "state", "zip")
DEFAULT_COUNTRY = "US"

Address = dict[str, str]


def text_value(value: object) -> str:
    return "" if value is None else str(value).strip()


def address_value(value: object) -> Address | str:
    """A complete address object, or ``""`` when there is no usable address."""
    if not isinstance(value, Mapping):
        return ""
    return _complete_address(*(text_value(value.get(key)) for key in ADDRESS_KEYS))


def _complete_address(
    addr1: str, addr2: str, city: str, state: str, zip_: str, country: str
) -> Address | str:
    if not (addr1 and city and state and zip_):  # ADDRESS_REQUIRED
        return ""
    return {
        "addr1": addr1,
        "addr2": addr2,
        "city": city,
        "state": state,
        "zip": zip_,
        "country": country or DEFAULT_COUNTRY,
    }


def contact_merge_fields(
    first_name: str,
    last_name: str,
    street: str,
    city: str,
    state: str,
    postal_code: str,
    country: str,
    phone: str,
) -> dict[str, Any]:
    """The merge fields for one contact's columns (called once per contact: kept free of generality).

    Names and places repeat across contacts: interned, a million members hold each spelling once.
    """
    address = _complete_address(
        (street or "").strip(),
        "",
        intern((city or "").strip()),
        intern((state or "").strip()),
        intern((postal_code or "").strip()),
        intern((country or "").strip()),
    )
    return {
        "FNAME": intern((first_name or "").strip()),
        "LNAME": intern((last_name or "").strip()),
        ADDRESS_FIELD: address,
        "PHONE": (phone or "").strip(),
    }


def remote_merge_fields(
    raw: Mapping[str, Any] | None, mapped: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The managed merge fields of a member as Mailchimp returned it, normalised like ours.

    ``mapped``: the extra merge fields contact fields are mapped onto (tag -> Mailchimp type).
    """
    raw = raw or {}
    values: dict[str, Any] = {tag: text_value(raw.get(tag)) for tag in TEXT_FIELDS}
    values[ADDRESS_FIELD] = address_value(raw.get(ADDRESS_FIELD))
    managed = {tag: values[tag] for tag in MANAGED_MERGE_FIELDS}
    for tag, mc_type in (mapped or {}).items():
        managed[tag] = remote_value(mc_type, raw.get(tag))
    return managed


def remote_interests(raw: Mapping[str, Any] | None, managed: Collection[str]) -> dict[str, bool]:
    """The member's interests restricted to those we manage (others are someone else's)."""
    raw = raw or {}
    return {interest_id: bool(raw.get(interest_id, False)) for interest_id in sorted(managed)}
