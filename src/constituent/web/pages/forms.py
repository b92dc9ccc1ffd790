"""What the CRM pages' forms share: the values sent back on an error, and errors tied to their field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from fastapi import Request
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from constituent.crm.errors import InvalidInput


@dataclass
class FormState:
    """A submitted (or empty) form: ``_macros.field`` reads ``value(name)`` and ``errors``."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def checked(self, name: str) -> bool:
        return self.values.get(name) == "on"


class FormInvalid(Exception):
    """The form cannot be saved as sent; ``errors`` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


async def read_form(request: Request, names: Iterable[str]) -> FormState:
    form = await request.form()
    return FormState(values={name: str(form.get(name, "")).strip() for name in names})


# pydantic's wording ("String should match pattern '^[A-Z]{3}$'", "Input should be a valid decimal") is
# for programmers; a page says what to type instead. Keyed by pydantic's error type.
_PLAIN = {
    "missing": "fill this in",
    "string_too_short": "fill this in",
    "string_too_long": "is too long: at most {max_length} characters",
    "string_pattern_mismatch": "is not in the expected form",
    "decimal_parsing": "must be a number, like 1500 or 1500.50",
    "decimal_type": "must be a number, like 1500 or 1500.50",
    "decimal_max_digits": "is too large",
    "decimal_max_places": "can have at most {decimal_places} digits after the decimal point",
    "float_parsing": "must be a number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be {ge} or more",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be {le} or less",
    "date_parsing": "must be a date, like 2026-03-31",
    "date_from_datetime_parsing": "must be a date, like 2026-03-31",
    "datetime_parsing": "must be a date and time, like 2026-03-31 14:30",
    "datetime_from_date_parsing": "must be a date and time, like 2026-03-31 14:30",
    "bool_parsing": "must be yes or no",
    "enum": "choose one of the options",
    "literal_error": "choose one of the options",
    "extra_forbidden": "is not a field of this form",
}


def plain_message(error: ErrorDetails) -> str:
    """One pydantic error in words a staffer reads: our own validators' sentences as they are, pydantic's
    built-in ones replaced by what to type instead."""
    if error["type"] == "value_error":
        return error["msg"].removeprefix("Value error, ")
    template = _PLAIN.get(error["type"])
    if template is None:
        return error["msg"]
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template.split(":")[0]


def validation_errors(exc: ValidationError, hints: Mapping[str, str] | None = None) -> dict[str, str]:
    """pydantic's errors by top-level field, in plain words; ``hints`` replaces the message of a field
    whose rule a person cannot guess ("use the two-letter country code, like US or FR")."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        errors.setdefault(name, (hints or {}).get(name) or plain_message(error))
    return errors


def input_error(exc: InvalidInput, known: Iterable[str]) -> dict[str, str]:
    """A service's InvalidInput on the field it names, or on the form as a whole if it is not one of ours."""
    head = exc.field.split(".")[0].split("[")[0]
    return {head if head in set(known) else "form": exc.message}
