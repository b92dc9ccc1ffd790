"""Which existing contact each row of a chunk is about, so no import, rerun or not, makes a duplicate.

A row is the same person as
1. an earlier row of the same file (same external id or any shared email): the rows are folded
   together, the later values winning, and the contact written once;
2. else a contact with its external id;
3. else a contact holding any of its emails (compared lower-cased, primary or not);
4. else, for a row with neither email nor external id, a contact with the same first and last name
   and postal code (so a rerun of a sheet without emails repeats nothing either).

A row matching two different contacts is rejected, naming both: merge them first.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.crm.imports import repository
from constituent.crm.imports.rows import ImportRow, RowError


class DuplicatePolicy(enum.StrEnum):
    """What a row does with the existing contact it matches (rows of one file are always merged)."""

    update = "update"
    skip = "skip"
    create = "create"  # a new contact anyway; an external id match still updates (ids are unique)


class Via(enum.Enum):
    file = "file"
    external_id = "external_id"
    email = "email"
    name = "name"


@dataclass(slots=True)
class Resolved:
    row: ImportRow
    contact: Contact | None  # None: a new contact
    via: Via | None = None


@dataclass(slots=True)
class Matches:
    """One chunk's verdicts: rows to write, and the lines folded, skipped or rejected on the way."""

    resolved: list[Resolved] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)
    skipped: list[tuple[int, int]] = field(default_factory=list)  # (line, contact id)
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass(slots=True)
class FileMemory:
    """Every key written by this import so far -> its contact id: later chunks fold into those."""

    contact_by_key: dict[str, int] = field(default_factory=dict)

    def remember(self, row: ImportRow, contact_id: int) -> None:
        for key in (*row.keys(), *_name_keys(row)):
            self.contact_by_key.setdefault(key, contact_id)


def _name_keys(row: ImportRow) -> list[str]:
    if row.keys():
        return []
    given = row.given
    name = (given.get("first_name", ""), given.get("last_name", ""), given.get("postal_code", ""))
    return ["n:" + "|".join(part.lower() for part in name)]


def fold(rows: Sequence[ImportRow]) -> tuple[list[ImportRow], list[int]]:
    """Rows sharing a key become one (the first row's line); returns them and the folded lines."""
    kept: list[ImportRow] = []
    owner: dict[str, ImportRow] = {}
    folded: list[int] = []
    for row in rows:
        keys = row.keys() or _name_keys(row)
        earlier = next((owner[key] for key in keys if key in owner), None)
        if earlier is None:
            kept.append(row)
            earlier = row
        else:
            earlier.absorb(row)
            folded.append(row.line)
        for key in earlier.keys() or keys:
            owner.setdefault(key, earlier)
    return kept, folded


def resolve(
    session: Session, rows: Sequence[ImportRow], memory: FileMemory, policy: DuplicatePolicy
) -> Matches:
    kept, folded = fold(rows)
    found = _Lookup.of(session, kept)
    matches = Matches(merged=folded)
    by_contact: dict[int, Resolved] = {}
    for row in kept:
        try:
            via, contact_id = _match(row, memory, found)
        except RowError as exc:
            matches.rejected.append((row.line, str(exc)))
            continue
        if contact_id is not None and contact_id in by_contact:  # two rows, one person
            by_contact[contact_id].row.absorb(row)
            matches.merged.append(row.line)
            continue
        outcome = _apply_policy(row, via, found.contacts.get(contact_id or 0), policy)
        if outcome is None:
            matches.skipped.append((row.line, contact_id or 0))
            continue
        if outcome.via is Via.file:
            matches.merged.append(row.line)
        if outcome.contact is not None:
            by_contact[outcome.contact.id] = outcome
        matches.resolved.append(outcome)
    return matches


def _apply_policy(
    row: ImportRow, via: Via | None, contact: Contact | None, policy: DuplicatePolicy
) -> Resolved | None:
    if contact is None or via is Via.file or via is Via.external_id:
        return Resolved(row, contact, via)
    if policy is DuplicatePolicy.skip:
        return None
    if policy is DuplicatePolicy.create:
        return Resolved(row, None)
    return Resolved(row, contact, via)


@dataclass(slots=True)
class _Lookup:
    by_external_id: dict[str, int]
    by_email: dict[str, set[int]]
    by_name: dict[str, set[int]]
    contacts: dict[int, Contact]

    @classmethod
    def of(cls, session: Session, rows: Sequence[ImportRow]) -> _Lookup:
        external_ids = [row.external_id for row in rows if row.external_id]
        addresses = [email.normalized for row in rows for email in row.emails]
        names = {(r.given.get("first_name", ""), r.given.get("last_name", "")) for r in rows if not r.keys()}
        by_external_id = repository.contact_ids_by_external_id(session, external_ids)
        by_email = repository.contact_ids_by_email(session, addresses)
        by_name = repository.contact_ids_by_name_and_postal_code(session, names)
        ids = {*by_external_id.values(), *(i for s in by_email.values() for i in s)}
        ids |= {i for s in by_name.values() for i in s}
        return cls(by_external_id, by_email, by_name, repository.contacts_with_emails(session, ids))


def _match(row: ImportRow, memory: FileMemory, found: _Lookup) -> tuple[Via | None, int | None]:
    for key in (*row.keys(), *_name_keys(row)):
        if key in memory.contact_by_key:
            return Via.file, memory.contact_by_key[key]
    if row.external_id and row.external_id in found.by_external_id:
        return Via.external_id, found.by_external_id[row.external_id]
    by_email = {cid for email in row.emails for cid in found.by_email.get(email.normalized, ())}
    if by_email:
        return Via.email, _only(by_email, found, "email")
    by_name = {cid for key in _name_keys(row) for cid in found.by_name.get(key, ())}
    if by_name:
        return Via.name, _only(by_name, found, "name and postal code")
    return None, None


def _only(ids: set[int], found: _Lookup, what: str) -> int:
    if len(ids) == 1:
        return next(iter(ids))
    named = ", ".join(f"{found.contacts[i].display_name} (contact {i})" for i in sorted(ids))
    raise RowError(f"its {what} match several contacts: {named}; merge them first, then import again")
