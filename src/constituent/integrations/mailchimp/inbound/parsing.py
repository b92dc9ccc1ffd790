"""Mailchimp's form-encoded webhook bodies (``data[merges][FNAME]=...``) → a typed ``InboundEvent``.

Whatever arrives, the only exception that leaves this module is ``ParseError``, whose message names the
field that is wrong and never repeats its value (values hold addresses, and the message is logged).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from constituent.crm.contacts.emails import InvalidEmail, normalise_email
from constituent.integrations.mailchimp.inbound.events import EventType, InboundEvent, TickedInterests

MAX_BODY_BYTES = 256 * 1024
MAX_FIELDS = 2000
FIRED_AT_FORMAT = "%Y-%m-%d %H:%M:%S"
_MERGE_KEY = re.compile(r"^data\[merges\]\[([A-Za-z0-9_]{1,50})\]$")
_LIMITS = {"data[list_id]": 50, "data[id]": 50, "data[reason]": 50, "data[campaign_id]": 50}
_EMAIL_MAX = 320
_KNOWN_KEYS = frozenset(
    {"type", "fired_at", "data[email]", "data[old_email]", "data[new_email]", "data[action]", "data[id]"}
    | {"data[subject]", "data[status]", "data[email_type]", "data[ip_opt]", "data[ip_signup]", "data[web_id]"}
    | set(_LIMITS)
)


class ParseError(ValueError):
    """The body is not a webhook delivery we understand; the message says which field is wrong."""


def parse_form(body: bytes) -> dict[str, str]:
    """The body's fields (last value wins for a repeated key)."""
    if len(body) > MAX_BODY_BYTES:
        raise ParseError(f"body: larger than {MAX_BODY_BYTES} bytes")
    if b"\x00" in body:
        # Mailchimp never sends one, and PostgreSQL text cannot hold it (the stored body is text).
        raise ParseError("body: contains a NUL byte")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except UnicodeDecodeError as exc:
        raise ParseError("body: not UTF-8 form data") from exc
    except ValueError as exc:
        raise ParseError(f"body: more than {MAX_FIELDS} fields") from exc
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:
            # Percent-encoded: stored fine, but no contact field can hold it, so it could never be applied.
            raise ParseError(f"{_field_name(key)}: contains a NUL character")
    return dict(pairs)


def _field_name(key: str) -> str:
    """The key, to name it in a message, when it is one of ours; anything else is not repeated."""
    return key if key in _KNOWN_KEYS or _MERGE_KEY.match(key) else "a field name"


def parse_event(body: bytes) -> InboundEvent:
    return event_from_fields(parse_form(body))


def event_from_fields(fields: Mapping[str, str]) -> InboundEvent:
    kind = _event_type(fields)
    base = InboundEvent(
        type=kind,
        fired_at=parse_fired_at(_required(fields, "fired_at")),
        list_id=_required(fields, "data[list_id]"),
        reason=_optional(fields, "data[reason]"),
        campaign_id=_optional(fields, "data[campaign_id]"),
    )
    if kind is EventType.campaign:
        return replace(
            base,
            campaign_id=_required(fields, "data[id]"),
            subject=fields.get("data[subject]", "")[:300],
            campaign_status=_optional(fields, "data[status]"),
        )
    if kind is EventType.upemail:
        return replace(
            base, email=_email(fields, "data[old_email]"), new_email=_email(fields, "data[new_email]")
        )
    return replace(
        base,
        email=_email(fields, "data[email]"),
        merges=_merges(fields),
        action=_optional(fields, "data[action]"),
        ticked=_ticked(fields) if kind is EventType.profile else None,
    )


_GROUPING = re.compile(r"^data\[merges\]\[GROUPINGS\]\[(\d{1,3})\]\[groups\]$")


def _ticked(fields: Mapping[str, str]) -> TickedInterests | None:
    """The interests named in every grouping (``groups`` is "Name1, Name2"); None when none is sent."""
    lists = [value for key, value in fields.items() if _GROUPING.match(key)]
    if not lists:
        return None
    names = {name.strip().lower() for value in lists for name in value.split(",") if name.strip()}
    return TickedInterests(names=frozenset(names))


def parse_fired_at(value: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` (Mailchimp's format, UTC); ISO 8601 is accepted too."""
    for parse in (lambda v: datetime.strptime(v, FIRED_AT_FORMAT), datetime.fromisoformat):
        try:
            moment = parse(value.strip())
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        except (ValueError, OverflowError):
            continue
    raise ParseError("fired_at: expected YYYY-MM-DD HH:MM:SS")


def _event_type(fields: Mapping[str, str]) -> EventType:
    value = _required(fields, "type")
    try:
        return EventType(value)
    except ValueError as exc:
        allowed = ", ".join(t.value for t in EventType)
        raise ParseError(f"type: not one of {allowed}") from exc


def _required(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name, "").strip()
    if not value:
        raise ParseError(f"{name}: missing")
    return _limited(name, value)


def _optional(fields: Mapping[str, str], name: str) -> str:
    return _limited(name, fields.get(name, "").strip())


def _limited(name: str, value: str) -> str:
    limit = _LIMITS.get(name, 100)
    if len(value) > limit:
        raise ParseError(f"{name}: longer than {limit} characters")
    return value


def _email(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name, "").strip()
    if not value:
        raise ParseError(f"{name}: missing")
    if len(value) > _EMAIL_MAX:
        raise ParseError(f"{name}: not an email address")
    try:
        # The contacts' own rule: an address it refuses could never be applied (e.g. ``x@y@z``).
        normalise_email(value)
    except InvalidEmail:
        raise ParseError(f"{name}: not an email address") from None
    return value


def _merges(fields: Mapping[str, str]) -> dict[str, str]:
    """Plain merge values by tag; nested ones (ADDRESS parts, GROUPINGS) are not profile names."""
    merges = {}
    for key, value in fields.items():
        match = _MERGE_KEY.match(key)
        if match:
            merges[match.group(1).upper()] = value[:1000]
    return merges
