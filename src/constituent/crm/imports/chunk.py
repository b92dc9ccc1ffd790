"""Writing one chunk of checked rows: new contacts by bulk INSERT, known external ids as logged updates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
from constituent.crm.imports.rows import ImportRow
from constituent.kit.clock import utcnow

SOURCE = "import"


@dataclass(frozen=True, slots=True)
class ChunkOutcome:
    imported: int
    updated: int


def write_chunk(session: Session, rows: Sequence[ImportRow], actor: str) -> ChunkOutcome:
    now = utcnow()
    group_ids = _group_ids(session, {name for row in rows for name in row.groups}, now, actor)
    known = repository.contacts_by_external_id(session, [r.external_id for r in rows if r.external_id])
    updates = [(row, known[row.external_id]) for row in rows if row.external_id in known]
    creates = [row for row in rows if row.external_id not in known]
    created_ids = _create_contacts(session, creates, now, actor)
    _update_contacts(session, updates, actor)
    # A new contact's memberships are part of its "created" entry (and keep method "import" and
    # added_at themselves); only groups added to contacts that already existed get entries of their own.
    new_pairs = [
        (group_ids[name], contact_id)
        for row, contact_id in zip(creates, created_ids, strict=True)
        for name in row.groups
    ]
    _add_memberships(session, new_pairs, now)
    joined = [(group_ids[name], contact.id) for row, contact in updates for name in row.groups]
    current = groups.current_pairs(session, [contact.id for _, contact in updates]) if updates else set()
    added = _add_memberships(session, [pair for pair in joined if pair not in current], now)
    _log(
        session,
        (Change(cid, "membership", mid, "status", None, MembershipStatus.added) for mid, cid in added),
        actor,
    )
    return ChunkOutcome(imported=len(creates), updated=len(updates))


def _group_ids(session: Session, names: set[str], now: datetime, actor: str) -> dict[str, int]:
    ids = groups.ids_by_name(session, names) if names else {}
    missing = sorted(names - ids.keys())
    created = groups.insert_groups(session, missing, now)
    _log(
        session,
        (Change(None, "group", gid, changelog.CREATED, None, name) for name, gid in created.items()),
        actor,
    )
    return ids | created


def _display_name(row: ImportRow) -> str:
    fields = row.fields
    full = f"{fields['first_name']} {fields['last_name']}".strip()
    return full or fields["organization_name"] or (row.emails[0].address if row.emails else "")


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
            **row.fields,
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


def _update_contacts(session: Session, updates: Sequence[tuple[ImportRow, Contact]], actor: str) -> None:
    for row, contact in updates:
        changelog.apply_and_record(
            session, contact, row.fields, contact_id=contact.id, entity="contact", actor=actor
        )
        _demote_replaced_primary(session, row, contact, actor)
    # Demotions reach the database before any promotion: the one-primary index never sees two.
    session.flush()
    added = [email for row, contact in updates for email in _merge_emails(session, row, contact, actor)]
    session.flush()
    _log(session, (Change(e.contact_id, "email", e.id, "address", None, e.address) for e in added), actor)


def _demote_replaced_primary(session: Session, row: ImportRow, contact: Contact, actor: str) -> None:
    current = contact.primary_email
    if row.emails and current is not None and current.address_normalized != row.emails[0].normalized:
        current.is_primary = False
        changelog.record_change(
            session, Change(contact.id, "email", current.id, "is_primary", True, False), actor
        )


def _merge_emails(session: Session, row: ImportRow, contact: Contact, actor: str) -> Iterable[Email]:
    """Make the row's first email primary and add the ones the contact lacks; never drops an email."""
    stored = {email.address_normalized: email for email in contact.emails}
    added = []
    for index, email in enumerate(row.emails):
        existing = stored.get(email.normalized)
        if existing is None:
            new = Email(
                address=email.address,
                address_normalized=email.normalized,
                domain=email.domain,
                is_primary=index == 0,
            )
            contact.emails.append(new)
            added.append(new)
        elif index == 0 and not existing.is_primary:
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
