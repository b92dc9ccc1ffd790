"""The desired state alone (no HTTP): build it in full, for 10,000 contacts, and find incremental candidates.

    PYTHONPATH=. .venv/bin/python bench/sync_desired.py [--contacts 1000000]

On the seeded SQLite database of ``bench/sync_setup.py`` (20 search tags, 3 groups as interests), with
an integration row of its own that is rolled back at the end. Figures: wall time of each call and the
peak RSS of this process.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from bench.sync_setup import AS_OF, interest_group_ids, offline_integration, seeded_database
from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.integrations.mailchimp.models import (
    MailchimpIntegration,
    MailchimpSource,
    SourceKind,
    SourceTarget,
)
from constituent.integrations.mailchimp.sync.desired import build_desired, incremental_candidates
from constituent.kit.clock import utcnow

T = TypeVar("T")


def timed(label: str, action: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = action()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| {label} | {time.perf_counter() - started:.1f} s | {peak:.0f} MB |", flush=True)
    return result


def integration_with_interests(session: Session) -> MailchimpIntegration:
    integration = offline_integration(session, "bench")
    for number, group_id in enumerate(interest_group_ids(session)):
        source = MailchimpSource(
            kind=SourceKind.group, group_id=group_id, target=SourceTarget.interest, interest_id=f"i{number}"
        )
        integration.sources.append(source)
    session.flush()
    return integration


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=10_000)
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-sync"))
    args = parser.parse_args()

    database = seeded_database(args.data_dir, args.contacts)
    print(f"database: {database.contacts:,} contacts, {database.eligible:,} eligible")
    print("| call | wall time | peak RSS so far |\n|---|---|---|")
    with Session(database.engine) as session:
        integration = integration_with_interests(session)
        config = build_desired(session, integration, AS_OF, set()).config
        in_order = list(session.scalars(select(Contact.id).order_by(Contact.id)))
        ids = random.Random(5).sample(in_order, args.changed)
        now = utcnow()

        same_day = timed(
            "incremental_candidates, same day",
            lambda: incremental_candidates(session, integration, now, now.date(), last_config=config),
        )
        new_day = timed(
            "incremental_candidates, a new day",
            lambda: incremental_candidates(
                session, integration, now - timedelta(days=1), now.date(), last_config=config
            ),
        )
        timed(
            f"build_desired for {args.changed:,} contacts",
            lambda: build_desired(session, integration, AS_OF, ids),
        )
        full = timed("build_desired, everyone", lambda: build_desired(session, integration, AS_OF))
        session.rollback()
    print(f"members: {len(full.members):,}; tags owned: {len(full.owned_tags)}")
    compared = len(same_day.tag_members), len(new_day.tag_members)
    print(f"searches compared with the ledger: same day {compared[0]}, a new day {compared[1]}")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
