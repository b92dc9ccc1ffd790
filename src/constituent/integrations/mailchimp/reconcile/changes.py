"""What a member read back from Mailchimp means, compared with the ledger (pure: no I/O, no clock).

Only changes the database must learn become events for the inbound processor (the same ones a webhook
would have carried); any other difference only corrects the ledger's status.

- a known member now ``unsubscribed`` → ``unsubscribe``; now ``cleaned`` → ``cleaned`` (reason ``hard``:
  the member object does not say whether it was an abuse report);
- a known member ``subscribed`` again (resubscribed through a form, or a confirmed opt-in) → ``subscribe``;
- an unknown member who opted in inside the window, not through the API → ``subscribe`` (a signup whose
  webhook was lost; our webhook hears users and admins, never the API, so neither does this);
- ``archived`` by someone in Mailchimp → ledger only (archiving is no unsubscribe; the planner leaves
  members archived there alone), as are ``pending`` and ``transactional``;
- any other unknown member is left to the next full resync, which reads the whole audience.

An address changed in Mailchimp gets a new member id (the md5 of the new address) and a new
``unique_email_id``, but keeps Mailchimp's ``contact_id`` (REAL-BEHAVIOUR row 7), which the ledger
records. So an unknown member carrying the person id of a member we know under another address is that
member renamed whose ``upemail`` webhook was lost → ``upemail`` (the contact takes the new address, the
ledger row moves to it). An unknown member whose person id we never learnt reads as someone who opted in
long ago: it never creates a second contact, and the contact keeps its old address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from constituent.integrations.mailchimp.inbound.events import EventSource, EventType, InboundEvent
from constituent.integrations.mailchimp.responses import Member, parse_timestamp
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.types import LedgerEntry, RemoteStatus, hand_archived


class ChangedMember(Member):
    timestamp_opt: str = ""
    source: str = ""  # how the member joined: "API - Generic", "Hosted Signup Form", "Admin Add", ...


@dataclass(frozen=True)
class MemberChange:
    member: ChangedMember
    event: InboundEvent | None  # for the processor
    ledger: LedgerUpdate | None  # a status the ledger must hold afterwards


def classify(
    member: ChangedMember,
    old: LedgerEntry | None,
    list_id: str,
    since: datetime,
    same_person: LedgerEntry | None = None,
    *,
    first_look: bool = False,
) -> MemberChange | None:
    """The change ``member`` brings, or None when the ledger already agrees.

    ``same_person``: the ledger's entry with the member's Mailchimp person id, if any. ``first_look``: the
    integration has no ledger yet (new, or added again), so an unknown unsubscribed or cleaned member is
    news the database must learn: someone may have left while no integration was listening."""
    if old is None and same_person is not None and same_person.subscriber_hash != member.id:
        return _renamed(member, same_person, list_id, since)
    status = RemoteStatus(member.status)
    if old is not None and old.status is status:
        return None
    kind = _first_look(status) if old is None and first_look else _event_type(member, old, status, since)
    if old is None and kind is None:
        return None
    changed_at = parse_timestamp(member.last_changed) or since
    ledger = _ledger_update(member, old, status, changed_at)
    if kind is None:
        return MemberChange(member, None, ledger)
    event = InboundEvent(
        type=kind,
        fired_at=changed_at,
        list_id=list_id,
        email=member.email_address,
        reason=_reason(kind, member),
        merges=_merges(member.merge_fields),
        source=EventSource.reconciliation,
        member_last_changed=changed_at,
    )
    return MemberChange(member, event, ledger)


def _renamed(member: ChangedMember, before: LedgerEntry, list_id: str, since: datetime) -> MemberChange:
    changed_at = parse_timestamp(member.last_changed) or since
    event = InboundEvent(
        type=EventType.upemail,
        fired_at=changed_at,
        list_id=list_id,
        email=before.email,
        new_email=member.email_address,
        source=EventSource.reconciliation,
        member_last_changed=changed_at,
    )
    moved = replace(
        before, subscriber_hash=member.id, email=member.email_address, status=RemoteStatus(member.status)
    )
    return MemberChange(member, event, LedgerUpdate(moved, last_changed=changed_at))


def _first_look(status: RemoteStatus) -> EventType | None:
    return {RemoteStatus.unsubscribed: EventType.unsubscribe, RemoteStatus.cleaned: EventType.cleaned}.get(
        status
    )


def _event_type(
    member: ChangedMember, old: LedgerEntry | None, status: RemoteStatus, since: datetime
) -> EventType | None:
    if old is None:
        opted_in = parse_timestamp(member.timestamp_opt)
        is_signup = (
            status is RemoteStatus.subscribed
            and opted_in is not None
            and opted_in >= since
            and not member.source.startswith("API")
        )
        return EventType.subscribe if is_signup else None
    if status is RemoteStatus.unsubscribed:
        return EventType.unsubscribe
    if status is RemoteStatus.cleaned:
        return EventType.cleaned
    if status is RemoteStatus.subscribed:
        return EventType.subscribe
    return None


def _ledger_update(
    member: ChangedMember, old: LedgerEntry | None, status: RemoteStatus, changed_at: datetime
) -> LedgerUpdate:
    if old is None:
        entry = LedgerEntry(member.id, member.email_address, status)
    else:
        # A status we did not write: an archive here is someone's in Mailchimp, not ours.
        entry = replace(old, status=status, archived_by_us=False, archived_by_hand=hand_archived(old, status))
    return LedgerUpdate(entry, last_changed=changed_at)


def _reason(kind: EventType, member: ChangedMember) -> str:
    if kind is EventType.cleaned:
        return "hard"
    if kind is EventType.unsubscribe:
        text = member.unsubscribe_reason.lower()
        return "abuse" if "spam" in text or "abuse" in text else "manual"
    return ""


def _merges(values: Mapping[str, object]) -> dict[str, str]:
    # Address merge fields come as objects; the processor reads names, which are plain strings.
    return {tag: str(value) for tag, value in values.items() if isinstance(value, str | int | float)}
