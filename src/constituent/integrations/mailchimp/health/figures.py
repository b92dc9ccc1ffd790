"""The figures of a health check from what was read (pure: no I/O, no clock).

Drift is what the planner would write to members Mailchimp already holds, given the audience as read and
the database as it is: the same comparison a Resync makes, so what the report calls "differs" is exactly
what the next Resync (and, for hand edits it reads, the next sync) puts back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from constituent.integrations.mailchimp.health.schemas import HealthKind
from constituent.integrations.mailchimp.responses import Member
from constituent.integrations.mailchimp.sync.planner import operation_hash
from constituent.integrations.mailchimp.sync.types import (
    AddTag,
    Intent,
    LedgerEntry,
    Plan,
    RemoteStatus,
    RemoveTag,
    Upsert,
)

KEPT_PER_KIND = 1000  # people listed per line; the counts stay exact


@dataclass
class Figures:
    by_status: Counter[str] = field(default_factory=Counter)
    people: dict[HealthKind, list[tuple[str, str, int | None]]] = field(default_factory=dict)
    counts: Counter[HealthKind] = field(default_factory=Counter)

    def add(self, kind: HealthKind, subscriber_hash: str, email: str, contact_id: int | None) -> None:
        self.counts[kind] += 1
        kept = self.people.setdefault(kind, [])
        if len(kept) < KEPT_PER_KIND:
            kept.append((subscriber_hash, email, contact_id))


def figures(
    members: Mapping[str, Member],
    ledger: Mapping[str, LedgerEntry],
    gone: Mapping[str, Member | None],
    plan: Plan,
) -> Figures:
    """``members``: the audience as read; ``ledger``: before the read; ``gone``: ledger entries the listing
    did not show, looked up one by one (None: Mailchimp no longer has it)."""
    found = Figures()
    for member in members.values():
        _audience_member(found, member, ledger.get(member.id))
    for subscriber_hash, still in gone.items():
        before = ledger[subscriber_hash]
        if still is None and before.intent is not Intent.create:
            found.add(HealthKind.deleted_there, subscriber_hash, before.email, before.contact_id)
    for subscriber_hash in _written_to_existing(plan, members):
        written = ledger.get(subscriber_hash)
        owner = written.contact_id if written else None
        found.add(HealthKind.drifted, subscriber_hash, members[subscriber_hash].email_address, owner)
    for entry in ledger.values():
        if entry.refused:
            found.add(HealthKind.refused, entry.subscriber_hash, entry.email, entry.contact_id)
    return found


def _audience_member(found: Figures, member: Member, entry: LedgerEntry | None) -> None:
    found.by_status[member.status] += 1
    owner = entry.contact_id if entry else None
    if owner is None:
        found.add(HealthKind.unowned, member.id, member.email_address, None)
    if member.status == RemoteStatus.archived and not (entry and entry.archived_by_us):
        found.add(HealthKind.archived_by_hand, member.id, member.email_address, owner)


def _written_to_existing(plan: Plan, members: Mapping[str, Member]) -> list[str]:
    """Members Mailchimp holds that the plan would update or re-tag, each once, in plan order."""
    hashes: dict[str, None] = {}
    for op in plan.operations:
        is_update = isinstance(op, Upsert) and not op.is_new and op.status is None
        if (is_update or isinstance(op, AddTag | RemoveTag)) and operation_hash(op) in members:
            hashes[operation_hash(op)] = None
    return list(hashes)
