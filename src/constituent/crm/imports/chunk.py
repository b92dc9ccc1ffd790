"""Writing one chunk of checked rows: new contacts by bulk INSERT, known external ids as logged updates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.activities import changelog
from constituent.crm.activities.changelog import Change
from constituent.crm.contacts.emails import NormalisedEmail
from constituent.crm.contacts.models import Contact, Email, EmailStatus
from constituent.crm.groups import repository as groups
from constituent.crm.groups.models import MembershipMethod, MembershipStatus
from constituent.crm.imports import repository
from constituent.crm.imports.matching import DuplicatePolicy, FileMemory, Matches, Via, resolve
from constituent.crm.imports.rows import ImportRow
from constituent.kit.clock import utcnow

SOURCE = "import"


@dataclass(slots=True)
class ChunkOutcome:
    created: int = 0
    updated: int = 0
    matches: Matches = field(default_factory=Matches)
    unknown_groups: dict[str, list[int]] = field(default_factory=dict)  # name -> lines naming it


@dataclass(frozen=True, slots=True)
class ChunkRules:
    policy: DuplicatePolicy = DuplicatePolicy.update
    create_groups: bool = False


def write_chunk(
    session: Session,
    rows: Sequence[ImportRow],
    actor: str,
    memory: FileMemory,
    rules: ChunkRules = ChunkRules(),
) -> ChunkOutcome:
    now = utcnow()
    matches = resolve(session, rows, memory, rules.policy)
    outcome = ChunkOutcome(matches=matches)
    written = [r.row for r in matches.resolved]
    group_ids = _group_ids(session, written, now, actor, rules.create_groups, outcome.unknown_groups)
    updates = [(r.row, r.contact, r.via) for r in matches.resolved if r.contact is not None]
    creates = [r.row for r in matches.resolved if r.contact is None]
    created_ids = _create_contacts(session, creates, now, actor)
    _update_contacts(session, updates, actor)
    for row, contact_id in zip(creates, created_ids, strict=True):
        memory.remember(row, contact_id)
    for row, contact, _ in updates:
        memory.remember(row, contact.id)
    # A new contact's memberships are part of its "created" entry (and keep method "import" and
    # added_at themselves); only groups added to contacts that already existed get entries of their own.
    new_pairs = [
        (group_ids[name], contact_id)
        for row, contact_id in zip(creates, created_ids, strict=True)
        for name in row.groups
        if name in group_ids
    ]
    _add_memberships(session, new_pairs, now)
    joined = {
        (group_ids[name], contact.id)
        for row, contact, _ in updates
        for name in row.groups
        if name in group_ids
    }
    current = groups.current_pairs(session, [contact.id for _, contact, _ in updates]) if updates else set()
    added = _add_memberships(session, sorted(joined - current), now)
    _log(
        session,
        (Change(cid, "membership", mid, "status", None, MembershipStatus.added) for mid, cid in added),
        actor,
    )
    outcome.created = len(creates)
    outcome.updated = sum(via is not Via.file for _, _, via in updates)  # folded lines count as merged
    return outcome


def _group_ids(
    session: Session,
    rows: Sequence[ImportRow],
    now: datetime,
    actor: str,
    create: bool,
    unknown: dict[str, list[int]],
) -> dict[str, int]:
    """Each group name the rows give -> its group (matched ignoring case); unknown ones only if allowed."""
    spelt: dict[str, str] = {}  # lower name -> the first spelling in the file
    for row in rows:
        for name in row.groups:
            spelt.setdefault(name.lower(), name)
    known = repository.groups_by_lower_name(session, spelt.values())
    missing = [spelling for lower, spelling in spelt.items() if lower not in known]
    if create:
        created = groups.insert_groups(session, missing, now)
        known |= {name.lower(): (gid, name) for name, gid in created.items()}
        _log(
            session,
            (Change(None, "group", gid, changelog.CREATED, None, name) for name, gid in created.items()),
            actor,
        )
    else:
        for row in rows:
            for name in row.groups:
                if name.lower() not in known:
                    unknown.setdefault(spelt[name.lower()], []).append(row.line)
    return {name: known[name.lower()][0] for row in rows for name in row.groups if name.lower() in known}


def _display_name(row: ImportRow) -> str:
    fields = row.given
    full = f"{fields.get('first_name', '')} {fields.get('last_name', '')}".strip()
    return full or fields.get("organization_name", "") or (row.emails[0].address if row.emails else "")


def _email_row(contact_id: int, email: NormalisedEmail, is_primary: bool, now: datetime) -> dict[str, Any]:
    return {
        "contact_id": contact_id,
        "address": email.address,
        "address_normalized": email.normalized,
        "domain": email.domain,
        "is_primary": is_primary,
        "status": EmailStatus.ok,
        "created_at": now,
        "updated_at": now,
    }


def _create_contacts(session: Session, rows: Sequence[ImportRow], now: datetime, actor: str) -> list[int]:
    ids = repository.reserve_ids(session, repository.CONTACTS, len(rows))
    contacts = [
        {
            "id": cid,
            **row.new_contact_fields(),
            "external_id": row.external_id,
            "source": SOURCE,
            "created_at": now,
            "updated_at": now,
        }
        for cid, row in zip(ids, rows, strict=True)
    ]
    emails = [
        _email_row(cid, email, index == 0, now)
        for cid, row in zip(ids, rows, strict=True)
        for index, email in enumerate(row.emails)
    ]
    repository.insert_rows(session, repository.CONTACTS, contacts)
    repository.insert_rows(session, repository.EMAILS, emails)
    created = (
        Change(cid, "contact", cid, changelog.CREATED, None, _display_name(row))
        for cid, row in zip(ids, rows, strict=True)
    )
    _log(session, created, actor)
    return ids


def _update_contacts(
    session: Session, updates: Sequence[tuple[ImportRow, Contact, Via | None]], actor: str
) -> None:
    for row, contact, via in updates:
        values = dict(row.given)
        if row.external_id and not contact.external_id:
            values["external_id"] = row.external_id
        changelog.apply_and_record(
            session, contact, values, contact_id=contact.id, entity="contact", actor=actor
        )
        if via is Via.external_id:  # the file is the record of this person: its first email leads
            _demote_replaced_primary(session, row, contact, actor)
    # Demotions reach the database before any promotion: the one-primary index never sees two.
    session.flush()
    added = [
        email
        for row, contact, via in updates
        for email in _merge_emails(session, row, contact, actor, lead=via is Via.external_id)
    ]
    session.flush()
    _log(session, (Change(e.contact_id, "email", e.id, "address", None, e.address) for e in added), actor)


def _demote_replaced_primary(session: Session, row: ImportRow, contact: Contact, actor: str) -> None:
    current = contact.primary_email
    if row.emails and current is not None and current.address_normalized != row.emails[0].normalized:
        current.is_primary = False
        changelog.record_change(
            session, Change(contact.id, "email", current.id, "is_primary", True, False), actor
        )


def _merge_emails(
    session: Session, row: ImportRow, contact: Contact, actor: str, *, lead: bool
) -> Iterable[Email]:
    """Add the emails the contact lacks; never drops one. With ``lead`` the row's first becomes primary."""
    stored = {email.address_normalized: email for email in contact.emails}
    has_primary = contact.primary_email is not None and not lead
    added = []
    for index, email in enumerate(row.emails):
        existing = stored.get(email.normalized)
        primary = index == 0 and not has_primary
        if existing is None:
            new = Email(
                address=email.address,
                address_normalized=email.normalized,
                domain=email.domain,
                is_primary=primary,
            )
            contact.emails.append(new)
            added.append(new)
        elif primary and not existing.is_primary:
            existing.is_primary = True
            changelog.record_change(
                session, Change(contact.id, "email", existing.id, "is_primary", False, True), actor
            )
    return added


def _add_memberships(
    session: Session, pairs: Sequence[tuple[int, int]], now: datetime
) -> list[tuple[int, int]]:
    """Insert (group id, contact id) memberships; returns (membership id, contact id) for the log."""
    ids = repository.reserve_ids(session, repository.MEMBERSHIPS, len(pairs))
    rows = [
        {
            "id": mid,
            "group_id": group_id,
            "contact_id": contact_id,
            "status": MembershipStatus.added,
            "method": MembershipMethod.import_,
            "added_at": now,
            "removed_reason": "",
            "updated_at": now,
        }
        for mid, (group_id, contact_id) in zip(ids, pairs, strict=True)
    ]
    repository.insert_rows(session, repository.MEMBERSHIPS, rows)
    return [(mid, contact_id) for mid, (_, contact_id) in zip(ids, pairs, strict=True)]


def _log(session: Session, changes: Iterable[Change], actor: str) -> None:
    repository.insert_rows(session, changelog.TABLE, changelog.entry_rows(changes, actor))
