"""One slice's desired-state statement with its searches in each form: computed once per statement, or
per contact (``compile_predicate(per_contact=True)``). What ``desired.reads_per_contact`` was set from.

    PYTHONPATH=. .venv/bin/python bench/sync_search_forms.py DATABASE_URL [INTEGRATION_ID]

DATABASE_URL: a seeded benchmark database with an integration (e.g. the one ``bench/sync_initial.py``
leaves, ``sqlite:///data/bench-sync/sync-146413.db``). Times the statement for slices of 2,000 and
20,000 contacts taken from the middle third of the contacts.
"""

from __future__ import annotations

import sys
import time

from bench.sync_setup import AS_OF
from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync import desired_repository as repo
from constituent.integrations.mailchimp.sync.tagging import layout_for
from constituent.kit.db import make_engine


def main() -> None:
    url, integration_id = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with Session(make_engine(url)) as session:
        layout = layout_for(session, get_integration(session, integration_id), AS_OF)
        flagged = (*layout.tags, *layout.interests)
        forms = {
            "once per statement": (layout.audience, [f.predicate for f in flagged]),
            "per contact": (layout.slice_audience, [f.slice_predicate for f in flagged]),
        }
        ids = list(session.scalars(select(Contact.id).order_by(Contact.id)))
        print(f"{len(ids):,} contacts, {len(layout.tags)} tags, {len(layout.interests)} interests")
        print("| slice | form | seconds | members |\n|---|---|---|---|")
        for size in (2_000, 20_000):
            start = len(ids) // 3
            addresses = repo.primary_addresses(session, ids[start : start + size])
            for name, (audience, flags) in forms.items():
                started = time.perf_counter()
                rows = list(repo.desired_rows(session, audience, flags, addresses=addresses))
                print(f"| {size:,} | {name} | {time.perf_counter() - started:.2f} | {len(rows):,} |")


if __name__ == "__main__":
    main()
