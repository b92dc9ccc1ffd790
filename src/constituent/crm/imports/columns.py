"""The CSV columns, the header check and the boolean spellings people use."""

from __future__ import annotations

REQUIRED = (
    "kind",
    "first_name",
    "last_name",
    "organization_name",
    "email",
    "is_active",
    "do_not_email",
    "groups",
)
OPTIONAL = (
    "external_id",
    "secondary_emails",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
    "is_deceased",
)
ALL = REQUIRED + OPTIONAL

# Columns copied onto the contact as text (after trimming); their limits come from the table.
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "organization_name",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
)
BOOLEAN_DEFAULTS = {"is_active": True, "do_not_email": False, "is_deceased": False}

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
LIST_SEPARATOR = ";"


class HeaderError(ValueError):
    """The header row cannot be imported; the message names the columns at fault."""


def check_header(header: list[str]) -> list[str]:
    """The trimmed column names, or HeaderError naming what is missing, unknown or repeated."""
    names = [name.strip() for name in header]
    problems = []
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    unknown = [c for c in names if c not in ALL]
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)} (allowed: {', '.join(ALL)})")
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        problems.append(f"repeated column(s): {', '.join(repeated)}")
    if problems:
        raise HeaderError("; ".join(problems))
    return names


def parse_bool(column: str, text: str) -> bool:
    value = text.strip().lower()
    if not value:
        return BOOLEAN_DEFAULTS[column]
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{column}: {text!r} is not a boolean (use true/false, yes/no or 1/0)")


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
