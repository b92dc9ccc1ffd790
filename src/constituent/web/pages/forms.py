"""What the CRM pages' forms share: the values sent back on an error, and errors tied to their field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fastapi import Request
from pydantic import ValidationError

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


def validation_errors(exc: ValidationError) -> dict[str, str]:
    """pydantic's errors by top-level field, worded for people ("Value error, x" reads as "x")."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        errors.setdefault(name, error["msg"].removeprefix("Value error, "))
    return errors


def input_error(exc: InvalidInput, known: Iterable[str]) -> dict[str, str]:
    """A service's InvalidInput on the field it names, or on the form as a whole if it is not one of ours."""
    head = exc.field.split(".")[0].split("[")[0]
    return {head if head in set(known) else "form": exc.message}
