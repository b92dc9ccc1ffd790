"""A member write (POST, PUT, PATCH, one batch entry) parsed and validated before anything is changed.

Parsing first and applying afterwards is what keeps a rejected request from leaving half a change behind.
Merge values are checked by their field's type; unknown merge tags are ignored, as Mailchimp does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mailchimp_emulator.errors import InvalidResource, invalid_field
from mailchimp_emulator.state import WRITABLE_STATUSES, AudienceList, MergeField

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
ADDRESS_REQUIRED = ("addr1", "city", "state", "zip")
ADDRESS_KEYS = ("addr1", "addr2", "city", "state", "zip", "country")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y")
MERGE_INVALID = "Your merge fields were invalid."


@dataclass(slots=True)
class MemberInput:
    """Only what the request carried; ``None`` means "not given, leave as is"."""

    email_address: str | None = None
    status: str | None = None
    status_if_new: str | None = None
    email_type: str | None = None
    merge_fields: dict[str, Any] | None = None
    interests: dict[str, bool] | None = None
    language: str | None = None
    vip: bool | None = None
    ip_signup: str | None = None
    timestamp_signup: datetime | None = None
    ip_opt: str | None = None
    timestamp_opt: datetime | None = None
    tags: list[str] | None = None


def valid_email(raw: Any) -> str:
    if not isinstance(raw, str) or not EMAIL_PATTERN.match(raw.strip()):
        # Recorded without an ``errors`` array (grouparoo's export fixture, "AAAAA").
        raise InvalidResource("Please provide a valid email address.")
    return raw.strip()


def parse_member(
    audience: AudienceList,
    body: dict[str, Any],
    statuses: tuple[str, ...] = WRITABLE_STATUSES,
    skip_merge_validation: bool = False,
) -> MemberInput:
    parsed = MemberInput()
    if "email_address" in body:
        parsed.email_address = valid_email(body["email_address"])
    parsed.status = _status(body.get("status"), "status", statuses)
    parsed.status_if_new = _status(body.get("status_if_new"), "status_if_new", WRITABLE_STATUSES)
    if "email_type" in body:
        parsed.email_type = _choice(body["email_type"], "email_type", ("html", "text"))
    if isinstance(body.get("merge_fields"), dict):
        parsed.merge_fields = parse_merge_values(audience, body["merge_fields"])
    elif body.get("merge_fields") is not None:
        raise _invalid("merge_fields", "Schema describes object, other type found instead")
    if "interests" in body:
        parsed.interests = _interests(audience, body["interests"])
    parsed.language = _text(body, "language")
    parsed.ip_signup = _text(body, "ip_signup")
    parsed.ip_opt = _text(body, "ip_opt")
    parsed.timestamp_signup = _timestamp(body, "timestamp_signup")
    parsed.timestamp_opt = _timestamp(body, "timestamp_opt")
    if "vip" in body:
        if not isinstance(body["vip"], bool):
            raise _invalid("vip", "Schema describes boolean, other type found instead")
        parsed.vip = body["vip"]
    if "tags" in body:
        parsed.tags = _tag_names(body["tags"])
    return parsed


def required_merge_errors(audience: AudienceList, values: dict[str, Any]) -> None:
    """New members must carry every required merge field (unless the caller skips merge validation)."""
    missing = [
        f.tag for f in audience.merge_fields.values() if f.required and values.get(f.tag) in (None, "")
    ]
    if missing:
        raise InvalidResource(
            MERGE_INVALID, [{"field": tag, "message": "Please enter a value"} for tag in missing]
        )


def parse_merge_values(audience: AudienceList, raw: dict[str, Any]) -> dict[str, Any]:
    """Known tags only, each value checked by the field's type; "" clears a value."""
    values: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for tag, value in raw.items():
        merge_field = audience.merge_fields.get(tag.upper())
        if merge_field is None:
            continue
        try:
            values[merge_field.tag] = _merge_value(merge_field, value)
        except ValueError as problem:
            errors.append({"field": merge_field.tag, "message": str(problem)})
    if errors:
        raise InvalidResource(MERGE_INVALID, errors)
    return values


def _merge_value(merge_field: MergeField, value: Any) -> Any:
    if value is None or value == "":
        return ""
    kind = merge_field.type
    if kind == "address":
        return _address(value)
    if isinstance(value, dict | list):
        raise ValueError("Please enter a single value")
    if kind == "number":
        return _number(value)
    text = str(value).strip()
    if kind in ("radio", "dropdown"):
        choices = merge_field.options.get("choices") or []
        if text not in choices:
            raise ValueError("Please choose one of the available options")
    elif kind == "date" and not _is_date(text):
        raise ValueError("Please enter a date")
    elif kind == "birthday" and not re.fullmatch(r"\d{2}/\d{2}", text):
        raise ValueError("Please enter a month and day (MM/DD)")
    elif kind == "zip" and not re.fullmatch(r"\d{5}(-\d{4})?", text):
        raise ValueError("Please enter a valid zip code")
    elif kind in ("url", "imageurl") and not re.match(r"^https?://", text):
        raise ValueError("Please enter a valid URL")
    return text


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("Please enter a number")
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError("Please enter a number") from None
    return int(number) if number.is_integer() else number


def _address(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or any(not str(value.get(key, "")).strip() for key in ADDRESS_REQUIRED):
        raise ValueError("Please enter a complete address")
    address = {key: str(value.get(key, "")).strip() for key in ADDRESS_KEYS}
    address["country"] = address["country"] or "US"
    return address


def _is_date(text: str) -> bool:
    for layout in DATE_FORMATS:
        try:
            datetime.strptime(text, layout)
        except ValueError:
            continue
        return True
    return False


def _interests(audience: AudienceList, raw: Any) -> dict[str, bool]:
    if not isinstance(raw, dict) or not all(isinstance(v, bool) for v in raw.values()):
        raise _invalid("interests", "Schema describes object of booleans, other type found instead")
    for interest_id in raw:
        if audience.interest(interest_id) is None:
            raise InvalidResource(f"Invalid interest ID: '{interest_id}'.")
    return dict(raw)


def _status(raw: Any, field: str, allowed: tuple[str, ...]) -> str | None:
    return None if raw is None else _choice(raw, field, allowed)


def _choice(raw: Any, field: str, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        message = f"Value must be one of: {', '.join(allowed)}"
        raise invalid_field(field, message)
    return str(raw)


def _text(body: dict[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(field, "Schema describes string, other type found instead")
    return value


def _timestamp(body: dict[str, Any], field: str) -> datetime | None:
    text = _text(body, field)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise _invalid(field, "Please enter a date and time (YYYY-MM-DD HH:MM:SS)") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)


def _tag_names(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(name, str) and name.strip() for name in raw):
        raise _invalid("tags", "Schema describes array of non-empty strings, other type found instead")
    return [name.strip() for name in raw]


def _invalid(field: str, message: str) -> InvalidResource:
    return invalid_field(field, message)
