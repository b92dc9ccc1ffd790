"""Merging two contacts into one, and finding the pairs worth a look. Never commits.

The survivor keeps its id. Its fields keep their values unless the staffer takes the other's
(``take_from_other``); a blank is filled from the other; "do not email" and "deceased" stay set if
either contact had them. Every email, gift, activity, group membership (with its history) and
change-log entry of the other contact moves to the survivor; the merge itself is a change-log entry;
then the other contact is deleted.

Mailchimp needs nothing here: the survivor's primary address is its member; the other's address,
now a secondary one, is no longer wanted, so the next sync archives its member if we subscribed it,
and leaves it as it is if it was unsubscribed, cleaned or forgotten (the planner never changes a
member's status otherwise). The survivor's Mailchimp panel shows both addresses' standing.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from constituent.crm.activities import changelog
from constituent.crm.activities.changelog import Change
from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.models import Contact
from constituent.crm.errors import InvalidInput
from constituent.crm.groups.models import MembershipStatus
from constituent.crm.merges import repository
from constituent.crm.merges.schemas import (
    MERGEABLE_FIELDS,
    STICKY_FLAGS,
    DuplicatePair,
    MergeRequest,
    Reason,
)
from constituent.kit.clock import utcnow

MERGED = "merged"  # the change-log field of the survivor's "merged with" entry
_MIN_PHONE_DIGITS = 7
DEFAULT_PAIRS = 200


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    contact: Contact
    merged_name: str
    moved: dict[str, int] = field(default_factory=dict)  # table -> rows that changed owner


def merge_contacts(session: Session, keep_id: int, request: MergeRequest, actor: str) -> MergeOutcome:
    if request.other_id == keep_id:
        raise InvalidInput("other_id", "a contact cannot be merged into itself")
    unknown = [name for name in request.take_from_other if name not in MERGEABLE_FIELDS]
    if unknown:
        raise InvalidInput("take_from_other", f"{unknown[0]!r} is not a field that can be merged")
    keep = contacts.get_contact(session, keep_id)
    other = contacts.get_contact(session, request.other_id)
    merged_name = f"{other.display_name} (contact {other.id})"
    values = surviving_values(keep, other, request.take_from_other)
    if values.get("external_id") and values["external_id"] == other.external_id:
        other.external_id = None  # unique: free it before the survivor takes it
        session.flush()
    changelog.apply_and_record(session, keep, values, contact_id=keep.id, entity="contact", actor=actor)
    _move_emails(session, keep, other, actor)
    _end_doubled_memberships(session, keep, other)
    moved = repository.move_rows(session, other.id, keep.id)
    changelog.record_change(session, Change(keep.id, "contact", keep.id, MERGED, merged_name, None), actor)
    session.flush()
    session.expire(other)
    session.delete(other)
    session.flush()
    return MergeOutcome(keep, merged_name, moved)


def surviving_values(keep: Contact, other: Contact, take_from_other: Collection[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for name in MERGEABLE_FIELDS:
        mine, theirs = getattr(keep, name), getattr(other, name)
        if name in take_from_other:
            values[name] = theirs
        elif name in STICKY_FLAGS:
            values[name] = mine or theirs
        elif mine in ("", None) and theirs not in ("", None):
            values[name] = theirs
    return values


def _move_emails(session: Session, keep: Contact, other: Contact, actor: str) -> None:
    held = {email.address_normalized for email in keep.emails}
    had_primary = keep.primary_email is not None
    for email in list(other.emails):
        email.is_primary = False
    session.flush()  # no moment with two primaries on the survivor
    for email in list(other.emails):
        if email.address_normalized in held:
            continue  # the survivor has it already; it goes with the other contact
        other.emails.remove(email)
        keep.emails.append(email)
        session.flush()
        changelog.record_change(
            session, Change(keep.id, "email", email.id, "address", None, email.address), actor
        )
    if not had_primary and keep.emails:
        keep.emails[0].is_primary = True
    session.flush()


def _end_doubled_memberships(session: Session, keep: Contact, other: Contact) -> None:
    """A group both are in: the other's stint ends (kept as history), the survivor's goes on."""
    now = utcnow()
    for membership in repository.shared_current_memberships(session, keep.id, other.id):
        membership.status = MembershipStatus.removed
        membership.removed_at = now
        membership.removed_reason = f"Merged into contact {keep.id}"
    session.flush()


def possible_duplicates(session: Session, limit: int = DEFAULT_PAIRS) -> list[DuplicatePair]:
    """Pairs sharing an email, a name and postal code, or a phone, the strongest first."""
    reasons: dict[tuple[int, int], list[Reason]] = {}
    for pair in repository.pairs_by_email(session, limit * 5):
        reasons.setdefault(pair, []).append(Reason.email)
    for pair in repository.pairs_by_name_and_postal_code(session, limit * 5):
        reasons.setdefault(pair, []).append(Reason.name_and_postal_code)
    for pair in _pairs_by_phone(session, limit * 5):
        reasons.setdefault(pair, []).append(Reason.phone)
    pairs = [DuplicatePair(a, b, tuple(found)) for (a, b), found in reasons.items()]
    pairs.sort(key=lambda p: (-p.score, p.first_id, p.second_id))
    return pairs[:limit]


def _pairs_by_phone(session: Session, limit: int) -> list[tuple[int, int]]:
    first_with: dict[str, int] = {}
    pairs = []
    for contact_id, phone in repository.phones(session):
        digits = re.sub(r"\D", "", phone)
        if len(digits) < _MIN_PHONE_DIGITS:
            continue
        earlier = first_with.setdefault(digits, contact_id)
        if earlier != contact_id:
            pairs.append((earlier, contact_id))
            if len(pairs) >= limit:
                break
    return pairs
