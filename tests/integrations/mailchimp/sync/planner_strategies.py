"""Hypothesis strategies for the planner: small random audiences where every rule gets exercised.

A few hashes and contacts are shared between the desired map and the ledger, so the same address is
often new, unchanged, stale, held (unsubscribed, cleaned, forgotten, refused, archived either way) or
leaving; and some desired contacts also have a ledger entry under an older address (``old-h3``), in
any state, so email changes meet every status and the case where the new address is already there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import strategies as st

from constituent.integrations.mailchimp.sync.planner import PlanOptions, StatusIfNew
from constituent.integrations.mailchimp.sync.types import DesiredMember, LedgerEntry, RemoteStatus

HASHES = tuple(f"h{i}" for i in range(8))
OLD_HASHES = tuple(f"old-{h}" for h in HASHES)  # where a contact's previous address sits in the ledger
CONTACTS = tuple(range(1, 8))
OWNED = frozenset({"Donors", "Volunteers", "Lapsed"})
# Tags we wrote under names no search gives any more (renamed, deleted, switched off); "Gala 2023" is one
# the user chose to leave on the members. Tags made in Mailchimp are never in the ledger.
FORMER = frozenset({"Old donors", "Gala 2023"})
LEFT = frozenset({"Gala 2023"})
REFUSED = "Unsubscribed in Mailchimp on 2024-03-01; Mailchimp will not let us re-add this address"
STALE = "fingerprint of data typed into Mailchimp"


@dataclass(frozen=True)
class Scenario:
    desired: dict[str, DesiredMember]
    ledger: dict[str, LedgerEntry]
    options: PlanOptions
    scope: frozenset[str] | None

    def in_scope(self, subscriber_hash: str) -> bool:
        return self.scope is None or subscriber_hash in self.scope or subscriber_hash in self.desired


# Built once: making strategies inside every draw costs more than the planner itself.
_HASH_SETS = st.sets(st.sampled_from(HASHES))
_CONTACT_ORDERS = st.permutations(CONTACTS)
_SHARERS = st.sampled_from([1, 1, 2, 3])
_FIRST_NAMES = st.sampled_from(["Ann", "Bob"])
_OUR_TAGS = st.frozensets(st.sampled_from(sorted(OWNED)))
_ANY_TAGS = st.frozensets(st.sampled_from(sorted(OWNED | FORMER)))
# Mostly subscribed, as in a real audience, so archives and email changes come up often.
_STATUSES = st.sampled_from([RemoteStatus.subscribed] * 5 + [RemoteStatus.pending] + list(RemoteStatus))
_CONTACT_IDS = st.none() | st.sampled_from(CONTACTS)
_DELETED_CONTACT_IDS = st.none() | st.sampled_from((98, 99))
_REFUSALS = st.sampled_from(["", "", "", REFUSED])
_STATUS_IF_NEW: st.SearchStrategy[StatusIfNew] = st.sampled_from(("subscribed", "pending"))
_SCOPES = st.none() | st.sets(st.sampled_from(HASHES + OLD_HASHES))
_MOVED = st.sampled_from([False, False, False, True])
_SHARER_INDEX = st.integers(min_value=0, max_value=2)


def _desired_map(draw: st.DrawFn) -> dict[str, DesiredMember]:
    """Desired members; each contact has one primary address, so no contact is in two members."""
    free = list(draw(_CONTACT_ORDERS))
    members: dict[str, DesiredMember] = {}
    for subscriber_hash in sorted(draw(_HASH_SETS))[:5]:
        contact_ids = tuple(sorted(free[: draw(_SHARERS)]))
        del free[: len(contact_ids)]
        if not contact_ids:
            break
        members[subscriber_hash] = DesiredMember(
            subscriber_hash=subscriber_hash,
            email=f"{subscriber_hash}@mailbox.org",
            owner_contact_id=contact_ids[0],
            contact_ids=contact_ids,
            merge_fields={"FNAME": draw(_FIRST_NAMES), "ADDRESS": ""},
            tags=draw(_OUR_TAGS),
            interests={"volunteer-interest": draw(st.booleans())},
        )
    return members


def _ledger_entry(draw: st.DrawFn, subscriber_hash: str, wanted: DesiredMember | None) -> LedgerEntry:
    matches = wanted is not None and draw(st.booleans())
    contact_id = draw(_CONTACT_IDS)
    # The contact we last synced it for: the same one, or (no contact) a deleted one or nobody.
    last_contact_id = contact_id if contact_id is not None else draw(_DELETED_CONTACT_IDS)
    return LedgerEntry(
        subscriber_hash=subscriber_hash,
        email=f"{subscriber_hash}@mailbox.org",
        status=draw(_STATUSES),
        contact_id=contact_id,
        last_contact_id=last_contact_id,
        fingerprint=wanted.fingerprint if matches and wanted is not None else STALE,
        tags=draw(_ANY_TAGS),
        archived_by_us=draw(st.booleans()),
        refused=draw(_REFUSALS),
    )


def _previous_addresses(draw: st.DrawFn, desired: dict[str, DesiredMember]) -> dict[str, LedgerEntry]:
    """Ledger entries of some desired contacts under an older address: email changes, in any state."""
    previous = {}
    for subscriber_hash in [h for h in sorted(desired) if draw(_MOVED)]:
        sharers = desired[subscriber_hash].contact_ids
        old = _ledger_entry(draw, f"old-{subscriber_hash}", None)
        owner = sharers[draw(_SHARER_INDEX) % len(sharers)]
        previous[old.subscriber_hash] = replace(old, contact_id=owner, last_contact_id=owner)
    return previous


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    desired = _desired_map(draw)
    ledger = {
        subscriber_hash: _ledger_entry(draw, subscriber_hash, desired.get(subscriber_hash))
        for subscriber_hash in sorted(draw(_HASH_SETS))
    }
    ledger |= _previous_addresses(draw, desired)
    # An incremental run looks at its desired addresses plus the old addresses of changed contacts.
    seen = draw(_SCOPES)
    options = PlanOptions(
        status_if_new=draw(_STATUS_IF_NEW),
        owned_tags=OWNED,
        left_tags=LEFT,
    )
    return Scenario(desired, ledger, options, None if seen is None else frozenset(seen | desired.keys()))
