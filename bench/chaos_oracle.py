"""The chaos run's oracle: what the audience must hold, computed from the CRM tables with plain SQL
(none of the product's sync code), and the comparison with what the emulator holds."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.chaos_setup import TAG
from sqlalchemy import text

from constituent.crm.contacts.emails import subscriber_hash
from constituent.kit.runtime import Database

# An eligible contact: an active, living individual, emailable, whose primary address is good.
_EXPECTED = text(
    """
    SELECT lower(trim(e.address)) AS address,
           EXISTS (SELECT 1 FROM group_memberships m
                   WHERE m.contact_id = c.id AND m.group_id = :group AND m.status = 'added') AS tagged
    FROM contacts c JOIN emails e ON e.contact_id = c.id AND e.is_primary
    WHERE c.kind = 'individual' AND c.is_active AND NOT c.is_deceased AND NOT c.do_not_email
      AND e.status = 'ok'
    """
)


@dataclass(frozen=True)
class Oracle:
    expected: dict[str, bool]  # address -> carries our tag
    unsubscribed: set[str]  # addresses whose person unsubscribed in Mailchimp
    bounced: set[str]


def expected_audience(database: Database, group_id: int) -> dict[str, bool]:
    with database.engine.connect() as conn:
        return {row.address: bool(row.tagged) for row in conn.execute(_EXPECTED, {"group": group_id})}


def compare(oracle: Oracle, members: list[dict[str, Any]], owners: dict[str, int | None]) -> dict[str, Any]:
    """Counts of what is wrong (all zero is the goal), with up to 10 examples each."""
    found: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}

    def wrong(kind: str, detail: str) -> None:
        found[kind] += 1
        examples.setdefault(kind, [])
        if len(examples[kind]) < 10:
            examples[kind].append(detail)

    held = {m["email_address"].lower(): m for m in members}
    for address, member in held.items():
        status = member["status"]
        if address in oracle.unsubscribed:
            if status == "subscribed":
                wrong("resubscribed_unsubscribers", address)
            continue
        if address in oracle.bounced:
            if status == "subscribed":
                wrong("resubscribed_bounces", address)
            continue
        if address not in oracle.expected:
            if status == "subscribed":
                owned = owners.get(subscriber_hash(address))
                wrong("orphans" if owned is None else "extra_members", address)
            continue
        if status != "subscribed":
            wrong("wrong_statuses", f"{address}: {status}")
            continue
        tagged = TAG in set(member.get("tags") or ())
        if tagged != oracle.expected[address]:
            wrong("wrong_tags", f"{address}: has {TAG}={tagged}")
    for address in oracle.expected:
        if address not in held and address not in oracle.unsubscribed:
            wrong("missing_members", address)
    kinds = (
        "wrong_statuses",
        "resubscribed_unsubscribers",
        "resubscribed_bounces",
        "orphans",
        "extra_members",
        "missing_members",
        "wrong_tags",
    )
    return {kind: found[kind] for kind in kinds} | {"examples": examples} if found else {k: 0 for k in kinds}
