"""Small builders for planner tests: a member or ledger entry in one line, with readable defaults."""

from __future__ import annotations

from typing import Any

from constituent.integrations.mailchimp.sync.planner import PlanOptions
from constituent.integrations.mailchimp.sync.types import DesiredMember, LedgerEntry, RemoteStatus

OWNED = frozenset({"Donors", "Volunteers", "Lapsed"})
FOREIGN = "VIP (made in Mailchimp)"
OPTIONS = PlanOptions(owned_tags=OWNED)


def member(
    subscriber_hash: str,
    contact_id: int = 1,
    *,
    tags: frozenset[str] = frozenset(),
    first_name: str = "Ann",
    sharers: tuple[int, ...] = (),
) -> DesiredMember:
    contact_ids = tuple(sorted({contact_id, *sharers}))
    merge_fields: dict[str, Any] = {"FNAME": first_name, "LNAME": "Lee", "ADDRESS": "", "PHONE": ""}
    return DesiredMember(
        subscriber_hash=subscriber_hash,
        email=f"{subscriber_hash}@mailbox.org",
        owner_contact_id=contact_ids[0],
        contact_ids=contact_ids,
        merge_fields=merge_fields,
        tags=tags,
    )


def entry_for(
    desired: DesiredMember,
    status: RemoteStatus = RemoteStatus.subscribed,
    *,
    tags: frozenset[str] | None = None,
    fingerprint: str | None = None,
    archived_by_us: bool = False,
    refused: str = "",
) -> LedgerEntry:
    """The ledger entry of a member Mailchimp holds exactly as desired, unless told otherwise."""
    return LedgerEntry(
        subscriber_hash=desired.subscriber_hash,
        email=desired.email,
        status=status,
        contact_id=desired.owner_contact_id,
        fingerprint=desired.fingerprint if fingerprint is None else fingerprint,
        tags=desired.tags if tags is None else tags,
        archived_by_us=archived_by_us,
        refused=refused,
    )


def by_hash(*items: DesiredMember | LedgerEntry) -> dict[str, Any]:
    return {item.subscriber_hash: item for item in items}
