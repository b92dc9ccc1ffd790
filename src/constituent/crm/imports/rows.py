"""One CSV record checked and turned into what the importer writes, or a reason to reject it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from constituent.crm.contacts.emails import InvalidEmail, NormalisedEmail
from constituent.crm.contacts.models import Contact, ContactKind
from constituent.crm.contacts.service import identity_problem
from constituent.crm.groups.service import GROUP_NAME_MAX
from constituent.crm.imports.columns import BOOLEAN_DEFAULTS, TEXT_FIELDS, parse_bool, split_list
from constituent.crm.imports.email_check import CachedEmailCheck


class RowError(ValueError):
    """Why a row was rejected, as a sentence for the person who made the file."""


@dataclass(slots=True)
class ImportRow:
    line: int
    fields: dict[str, Any]
    external_id: str | None
    emails: list[NormalisedEmail]  # the first is the primary
    groups: list[str] = field(default_factory=list)


def _limit(column: str) -> int:
    length = Contact.__table__.c[column].type.length  # type: ignore[attr-defined]
    return int(length)


_LIMITS = {column: _limit(column) for column in (*TEXT_FIELDS, "external_id")}
_KINDS = ", ".join(k.value for k in ContactKind)


def _text(column: str, record: dict[str, str]) -> str:
    value = record.get(column, "").strip()
    if len(value) > _LIMITS[column]:
        raise RowError(f"{column}: longer than {_LIMITS[column]} characters")
    return value


def _kind(text: str) -> ContactKind:
    value = text.strip().lower() or ContactKind.individual.value
    try:
        return ContactKind(value)
    except ValueError:
        raise RowError(f"kind: {text.strip()!r} is not one of {_KINDS}") from None


_check_email = CachedEmailCheck()


def _email(column: str, text: str) -> NormalisedEmail:
    try:
        return _check_email(text)
    except InvalidEmail as exc:
        raise RowError(f"{column}: {exc}") from None


def _emails(record: dict[str, str]) -> list[NormalisedEmail]:
    primary = record.get("email", "").strip()
    secondary = split_list(record.get("secondary_emails", ""))
    if secondary and not primary:
        raise RowError("secondary_emails given without an email")
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
    try:
        return {column: parse_bool(column, record.get(column, "")) for column in BOOLEAN_DEFAULTS}
    except ValueError as exc:
        raise RowError(str(exc)) from None


def parse_row(header: list[str], values: list[str], line: int) -> ImportRow:
    if len(values) != len(header):
        raise RowError(f"has {len(values)} columns, the header has {len(header)}")
    record = dict(zip(header, values, strict=True))
    kind = _kind(record["kind"])
    fields: dict[str, Any] = {column: _text(column, record) for column in TEXT_FIELDS}
    emails = _emails(record)
    problem = identity_problem(
        kind, fields["first_name"], fields["last_name"], fields["organization_name"], bool(emails)
    )
    if problem:
        raise RowError(problem.message)
    fields.update(_booleans(record), kind=kind)
    external_id = _text("external_id", record) or None
    return ImportRow(line, fields, external_id, emails, _groups(record["groups"]))
