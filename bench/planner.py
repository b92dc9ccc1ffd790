"""How long the pure sync planner takes on a large audience (no database, no HTTP).

    .venv/bin/python bench/planner.py [--members 1000000]

Builds a desired map and a ledger of that size where 1% changed fields, 1% are new, 1% left, 1% changed
their email, 1% gained a tag, 0.5% unsubscribed in Mailchimp; then times ``plan`` and ``apply_to_ledger``
and prints the operation counts.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from constituent.integrations.mailchimp.sync.plan_report import count_operations
from constituent.integrations.mailchimp.sync.planner import PlanOptions, apply_to_ledger, plan
from constituent.integrations.mailchimp.sync.types import DesiredMember, LedgerEntry, RemoteStatus

T = TypeVar("T")
TAGS = frozenset(f"Search {i}" for i in range(20))


def desired_member(i: int, *, email_version: int = 0) -> DesiredMember:
    subscriber_hash = f"{i:032x}" if not email_version else f"{i:031x}n"
    return DesiredMember(
        subscriber_hash=subscriber_hash,
        email=f"person{i}.{email_version}@mailbox.org",
        owner_contact_id=i,
        contact_ids=(i,),
        merge_fields={"FNAME": f"First{i}", "LNAME": "Last", "ADDRESS": "", "PHONE": ""},
        tags=frozenset({f"Search {i % 20}", f"Search {(i * 7) % 20}"}),
        interests={"a1": i % 2 == 0, "b2": i % 3 == 0, "c3": False},
    )


def in_sync(member: DesiredMember) -> LedgerEntry:
    return LedgerEntry(
        subscriber_hash=member.subscriber_hash,
        email=member.email,
        status=RemoteStatus.subscribed,
        contact_id=member.owner_contact_id,
        fingerprint=member.fingerprint,
        tags=member.tags,
    )


def audience(size: int) -> tuple[dict[str, DesiredMember], dict[str, LedgerEntry]]:
    desired: dict[str, DesiredMember] = {}
    ledger: dict[str, LedgerEntry] = {}
    for i in range(1, size + 1):
        member = desired_member(i)
        entry = in_sync(member)
        match i % 200:
            case 0 | 1:  # changed fields
                entry = replace(entry, fingerprint="stale")
            case 2 | 3:  # new contact
                ledger.pop(member.subscriber_hash, None)
                desired[member.subscriber_hash] = member
                continue
            case 4 | 5:  # left the audience
                ledger[entry.subscriber_hash] = entry
                continue
            case 6 | 7:  # changed email
                ledger[entry.subscriber_hash] = entry
                member = desired_member(i, email_version=1)
                desired[member.subscriber_hash] = member
                continue
            case 8 | 9:  # gained a tag
                entry = replace(entry, tags=entry.tags - {f"Search {i % 20}"})
            case 10:  # unsubscribed in Mailchimp
                entry = replace(entry, status=RemoteStatus.unsubscribed)
        desired[member.subscriber_hash] = member
        ledger[entry.subscriber_hash] = entry
    return desired, ledger


def timed(what: str, work: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = work()
    print(f"{what}: {time.perf_counter() - started:.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    size = parser.parse_args().members
    desired, ledger = timed(f"build {size:,} desired members and ledger entries", lambda: audience(size))
    options = PlanOptions(owned_tags=TAGS, confirm_removals=True)
    result = timed("plan (full sync)", lambda: plan(desired, ledger, options))
    after = timed("apply_to_ledger", lambda: apply_to_ledger(ledger, result))
    timed("plan again (nothing to do)", lambda: plan(desired, after, options))
    print(f"operations: {len(result.operations):,}  {count_operations(result).as_dict()}")


if __name__ == "__main__":
    main()
