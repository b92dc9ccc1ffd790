"""One CSV record checked and turned into what the importer writes, or a reason to reject it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from constituent.crm.contacts.emails import InvalidEmail, NormalisedEmail
from constituent.crm.contacts.models import Contact, ContactKind
from constituent.crm.contacts.service import identity_problem
from constituent.crm.groups.service import GROUP_NAME_MAX
from constituent.crm.imports.columns import BOOLEAN_DEFAULTS, FULL_NAME, TEXT_FIELDS, parse_bool, split_list
from constituent.crm.imports.email_check import CachedEmailCheck
from constituent.crm.imports.headers import ColumnMap


class RowError(ValueError):
    """Why a row was rejected, as a sentence for the person who made the file."""


@dataclass(slots=True)
class ImportRow:
    line: int
    given: dict[str, Any]  # the fields the row fills (blank cells are absent: they never erase)
    kind: ContactKind
    external_id: str | None
    emails: list[NormalisedEmail]  # the first is the primary
    groups: list[str] = field(default_factory=list)

    def new_contact_fields(self) -> dict[str, Any]:
        defaults: dict[str, Any] = {column: "" for column in TEXT_FIELDS} | BOOLEAN_DEFAULTS
        return defaults | self.given | {"kind": self.kind}

    def keys(self) -> list[str]:
        """What makes two rows (or a row and a contact) the same person: external id, any email."""
        keys = [f"x:{self.external_id}"] if self.external_id else []
        return keys + [f"e:{email.normalized}" for email in self.emails]

    def absorb(self, later: ImportRow) -> None:
        """Fold a later row of the file about the same person into this one: its values win."""
        self.given |= later.given
        if "kind" in later.given:
            self.kind = later.kind
        self.external_id = self.external_id or later.external_id
        known = {email.normalized for email in self.emails}
        self.emails += [e for e in later.emails if e.normalized not in known]
        self.groups += [g for g in later.groups if g not in self.groups]


def _limit(column: str) -> int:
    length = Contact.__table__.c[column].type.length  # type: ignore[attr-defined]
    return int(length)


_LIMITS = {column: _limit(column) for column in (*TEXT_FIELDS, "external_id")}
_KINDS = {
    "individual": ContactKind.individual,
    "person": ContactKind.individual,
    "organization": ContactKind.organization,
    "organisation": ContactKind.organization,
    "company": ContactKind.organization,
    "vendor": ContactKind.vendor,
    "supplier": ContactKind.vendor,
}


def _text(column: str, value: str) -> str:
    value = value.strip()
    if len(value) > _LIMITS[column]:
        raise RowError(f"{column}: longer than {_LIMITS[column]} characters")
    return value


def _kind(text: str) -> ContactKind | None:
    value = text.strip().lower()
    if not value:
        return None
    if value not in _KINDS:
        raise RowError(f"kind: {text.strip()!r} is not one of individual, organization, vendor")
    return _KINDS[value]


_check_email = CachedEmailCheck()


def _email(column: str, text: str) -> NormalisedEmail:
    try:
        return _check_email(text)
    except InvalidEmail as exc:
        raise RowError(f"{column}: {exc}") from None


def _emails(record: dict[str, str]) -> list[NormalisedEmail]:
    primary = record.get("email", "").strip()
    secondary = split_list(record.get("secondary_emails", ""))
    emails = [_email("email", primary)] if primary else []
    seen = {e.normalized for e in emails}
    for text in secondary:
        email = _email("secondary_emails", text)
        if email.normalized not in seen:
            seen.add(email.normalized)
            emails.append(email)
    return emails


def _groups(text: str) -> list[str]:
    names = list(dict.fromkeys(split_list(text)))
    too_long = [n for n in names if len(n) > GROUP_NAME_MAX]
    if too_long:
        raise RowError(f"groups: {too_long[0][:40]!r}... is longer than {GROUP_NAME_MAX} characters")
    return names


def _booleans(record: dict[str, str]) -> dict[str, bool]:
    values = {}
    for column in BOOLEAN_DEFAULTS:
        try:
            value = parse_bool(column, record.get(column, ""))
        except ValueError as exc:
            raise RowError(str(exc)) from None
        if value is not None:
            values[column] = value
    return values


def split_full_name(text: str) -> tuple[str, str]:
    """ "Silva, Kyle" and "Kyle Silva" -> ("Kyle", "Silva"); one word is a first name."""
    last, comma, first = text.partition(",")
    if comma:
        return first.strip(), last.strip()
    words = text.split()
    if len(words) < 2:
        return text.strip(), ""
    return " ".join(words[:-1]), words[-1]


def _names(record: dict[str, str], given: dict[str, Any]) -> None:
    full = record.get(FULL_NAME, "").strip()
    if full and not (given.get("first_name") or given.get("last_name")):
        first, last = split_full_name(full)
        given.update(first_name=_text("first_name", first), last_name=_text("last_name", last))


def parse_row(columns: ColumnMap, values: list[str], line: int) -> ImportRow:
    if len(values) != columns.width:
        raise RowError(f"has {len(values)} columns, the header has {columns.width}")
    record = {field: values[index] for field, index in columns.positions.items()}
    given: dict[str, Any] = {}
    for column in TEXT_FIELDS:
        if column in record and (value := _text(column, record[column])):
            given[column] = value
    _names(record, given)
    emails = _emails(record)
    kind = _kind(record.get("kind", ""))
    if kind is not None:
        given["kind"] = kind
    elif given.get("organization_name") and not (given.get("first_name") or given.get("last_name")):
        kind = ContactKind.organization  # nothing but a company's name: the row is about the company
    kind = kind or ContactKind.individual
    problem = identity_problem(
        kind,
        given.get("first_name", ""),
        given.get("last_name", ""),
        given.get("organization_name", ""),
        bool(emails),
    )
    if problem:
        raise RowError(problem.message)
    given |= _booleans(record)
    external_id = _text("external_id", record.get("external_id", "")) or None
    return ImportRow(line, given, kind, external_id, emails, _groups(record.get("groups", "")))
