"""Drift: what someone changed by hand in Mailchimp on a member we own (pure: no I/O, no clock).

The help pages promise that data typed into the audience directly is overwritten by the next sync. The
ledger holds what we last wrote (a fingerprint of the address, merge fields and interests, and our tags),
so a subscribed member read back by reconciliation tells us, for members we own:

- their fingerprint as Mailchimp now holds them differs from ours: someone changed a merge field or an
  interest there. The change goes to the inbound processor as a ``profile`` event first, the same rules
  as the webhook (names: noted, or taken when the integration accepts profile changes; interests: the
  two-way rule, so what she unticked is never ticked again), then the ledger takes Mailchimp's
  fingerprint and the contact becomes a candidate of the run: the planner sees the difference between
  the database and what Mailchimp really holds, and writes the database's values back;
- a tag of ours is gone from the member: the ledger forgets it on this member and the run puts it back.

Never touched: the status (a status change is an event of its own), tags made in Mailchimp (we only
ever look at the tags the ledger says we wrote), members we do not own, and members already waiting to
be written (an empty fingerprint, or a write in flight).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from constituent.integrations.mailchimp.inbound.events import (
    EventSource,
    EventType,
    InboundEvent,
    TickedInterests,
)
from constituent.integrations.mailchimp.responses import Member, parse_timestamp
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.refresh import entry_from_member
from constituent.integrations.mailchimp.sync.types import Intent, LedgerEntry, RemoteStatus


@dataclass(frozen=True)
class Ours:
    """What we write today: compared the way a full Resync compares (``refresh.entry_from_member``)."""

    owned_tags: frozenset[str]
    managed_interests: Collection[str]
    merge_field_types: Mapping[str, str]


@dataclass(frozen=True)
class Drift:
    member: Member
    ledger: LedgerUpdate  # the entry as Mailchimp holds it now (our tags still on it, our fingerprint of it)
    fields_changed: bool  # a merge field or an interest differs from what we last wrote
    tags_removed: frozenset[str]


def drift_of(member: Member, old: LedgerEntry | None, ours: Ours) -> Drift | None:
    """The hand edit ``member`` shows against what we last wrote, or None."""
    if not _watched(member, old):
        return None
    assert old is not None
    seen = entry_from_member(member, old, ours.owned_tags, ours.managed_interests, ours.merge_field_types)
    removed = old.tags - seen.entry.tags
    changed = seen.entry.fingerprint != old.fingerprint
    if not changed and not removed:
        return None
    now_held = replace(old, fingerprint=seen.entry.fingerprint, tags=old.tags - removed)
    return Drift(member, LedgerUpdate(now_held, seen.last_changed), changed, removed)


def _watched(member: Member, old: LedgerEntry | None) -> bool:
    return (
        old is not None
        and old.contact_id is not None
        and old.status is RemoteStatus.subscribed
        and member.status == RemoteStatus.subscribed
        and old.fingerprint != ""
        and old.intent is Intent.none
    )


def profile_event(drift: Drift, list_id: str, fallback: datetime) -> InboundEvent:
    """The change as the ``profile`` webhook would have carried it (names and ticked interests)."""
    member = drift.member
    changed_at = parse_timestamp(member.last_changed) or fallback
    return InboundEvent(
        type=EventType.profile,
        fired_at=changed_at,
        list_id=list_id,
        email=member.email_address,
        merges={tag: value for tag, value in member.merge_fields.items() if isinstance(value, str)},
        source=EventSource.reconciliation,
        member_last_changed=changed_at,
        ticked=TickedInterests(ids=frozenset(i for i, on in member.interests.items() if on)),
    )
