"""What the contact search box means: names in either order, partial names, emails, phone digits, ids.

"Kyle Silva", "Silva, Kyle" and "kyle silva" find Kyle Silva: every word of the query must start a
word of the first, last or organization name (or appear inside one, for partial names). A query
that is an email part, a run of phone digits (punctuation ignored) or an external id also matches.
Exact matches (the whole name in either order, the whole email, phone or external id) come first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union,
)

from constituent.crm.contacts import search_index
from constituent.crm.contacts.models import Contact, Email

_WORDS = re.compile(r"[^\s,]+")
_MIN_PHONE_DIGITS = 3
_TRIGRAM = 3  # the shortest run a trigram index can find
_HIGHEST = chr(0x10FFFF)  # sorts after every character: [text, text + _HIGHEST) is "starts with text"


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
    # Constants written into the SQL, not bound: PostgreSQL's index on this expression must match it.
    return literal_column(search_index.digits_sql("contacts.phone"))


def _names_contain(word: str) -> ColumnElement[bool]:
    pattern = _like(word)
    columns = (Contact.first_name, Contact.last_name, Contact.organization_name)
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def _full_name_is(query: Query) -> ColumnElement[bool]:
    first, last = func.lower(Contact.first_name), func.lower(Contact.last_name)
    either_order = {" ".join(query.words), " ".join(reversed(query.words))}
    return or_(*(first + literal(" ") + last == name for name in either_order))


def matches(query: Query, dialect: str) -> ColumnElement[bool]:
    """The WHERE condition: any of names, emails, phone digits, external id.

    A union of the ids each kind of match finds, not one OR over every row: each part then uses its own
    index (``search_index.py``: trigram indexes on PostgreSQL, FTS5 trigram tables on SQLite), and the
    emails are read once, not probed once per contact.
    """
    parts = _sqlite_parts(query) if dialect == "sqlite" else _parts(query)
    parts.append(select(Contact.id).where(func.lower(Contact.external_id) == query.text))
    return Contact.id.in_(union(*parts))


def _parts(query: Query) -> list[Select[Any]]:
    parts = [
        select(Contact.id).where(and_(*(_names_contain(word) for word in query.words))),
        select(Email.contact_id).where(Email.address_normalized.like(_like(query.text), escape="\\")),
    ]
    if query.digits:
        parts.append(select(Contact.id).where(_phone_digits().like(_like(query.digits), escape="\\")))
    return parts


def _sqlite_parts(query: Query) -> list[Select[Any]]:
    """The same through SQLite's FTS5 trigram tables (GLOB over the lower-cased text uses them).

    A trigram index finds only runs of three characters or more: shorter words are checked on the
    rows the longer ones found (or, when every word is short, on every row).
    """
    long = {f"l{i}": _glob(w) for i, w in enumerate(query.words) if len(w) >= _TRIGRAM}
    short = {f"s{i}": _glob(w) for i, w in enumerate(query.words) if len(w) < _TRIGRAM}
    conditions = [f"names GLOB :{key}" for key in short]
    if long:
        found = " AND ".join(f"names GLOB :{key}" for key in long)
        conditions.append(f"id IN (SELECT rowid FROM contact_search WHERE {found})")  # noqa: S608
    names: Select[Any] = (
        select(literal_column("id"))
        .select_from(text("contact_search_source"))
        .where(text(" AND ".join(conditions)).bindparams(**long, **short))
    )
    parts = [names, _sqlite_emails(query.text)]
    if query.digits:
        parts.append(
            select(literal_column("rowid"))
            .select_from(text("contact_search"))
            .where(text("digits GLOB :digits").bindparams(digits=_glob(query.digits)))
        )
    return parts


def _sqlite_emails(typed: str) -> Select[Any]:
    """On SQLite an address is found by its start or its whole domain, through the btree indexes (a
    trigram index on every address cost the import more than the search needs)."""
    starts = and_(Email.address_normalized >= typed, Email.address_normalized < typed + _HIGHEST)
    return select(Email.contact_id).where(or_(starts, Email.domain == typed))


def _glob(value: str) -> str:
    """``*value*`` with GLOB's own wildcards taken literally."""
    escaped = "".join(f"[{char}]" if char in "*?[" else char for char in value)
    return f"*{escaped}*"


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
