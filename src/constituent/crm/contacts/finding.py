"""What the contact search box means: names in either order, partial names, emails, phone digits, ids.

"Kyle Silva", "Silva, Kyle" and "kyle silva" find Kyle Silva: every word of the query must start a
word of the first, last or organization name (or appear inside one, for partial names). A query
that is an email part, a run of phone digits (punctuation ignored) or an external id also matches.
Exact matches (the whole name in either order, the whole email, phone or external id) come first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select

from constituent.crm.contacts.models import Contact, Email

_WORDS = re.compile(r"[^\s,]+")
_PHONE_PUNCTUATION = (" ", "-", "(", ")", "+", ".", "/")
_MIN_PHONE_DIGITS = 3


@dataclass(frozen=True, slots=True)
class Query:
    text: str  # lower-cased, trimmed
    words: tuple[str, ...]
    digits: str  # the query's digits when it looks like a phone number, else ""

    @classmethod
    def parse(cls, raw: str) -> Query:
        text = " ".join(raw.split()).lower()
        digits = re.sub(r"\D", "", text)
        phone_like = len(digits) >= _MIN_PHONE_DIGITS and not re.search(r"[a-z@]", text)
        return cls(text, tuple(_WORDS.findall(text)), digits if phone_like else "")


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _phone_digits() -> ColumnElement[str]:
    value: ColumnElement[str] = Contact.phone.expression
    for mark in _PHONE_PUNCTUATION:
        value = func.replace(value, mark, "")
    return value


def _names_contain(word: str) -> ColumnElement[bool]:
    pattern = _like(word)
    columns = (Contact.first_name, Contact.last_name, Contact.organization_name)
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def _full_name_is(query: Query) -> ColumnElement[bool]:
    first, last = func.lower(Contact.first_name), func.lower(Contact.last_name)
    either_order = {" ".join(query.words), " ".join(reversed(query.words))}
    return or_(*(first + literal(" ") + last == name for name in either_order))


def matches(query: Query) -> ColumnElement[bool]:
    """The WHERE condition: any of names, emails, phone digits, external id."""
    email = select(Email.id).where(
        Email.contact_id == Contact.id, Email.address_normalized.like(_like(query.text), escape="\\")
    )
    conditions = [and_(*(_names_contain(word) for word in query.words)), email.exists()]
    conditions.append(func.lower(Contact.external_id) == query.text)
    if query.digits:
        conditions.append(_phone_digits().like(_like(query.digits), escape="\\"))
    return or_(*conditions)


def exactness(query: Query) -> ColumnElement[int]:
    """0 for an exact match (whole name either order, email, phone, external id), else 1: sorts first."""
    exact_email = select(Email.id).where(
        Email.contact_id == Contact.id, Email.address_normalized == query.text
    )
    exact = [_full_name_is(query), exact_email.exists(), func.lower(Contact.external_id) == query.text]
    if query.digits:
        exact.append(_phone_digits() == query.digits)
    exact.append(func.lower(Contact.organization_name) == query.text)
    return case((or_(*exact), 0), else_=1)
