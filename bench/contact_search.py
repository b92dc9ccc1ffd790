"""The contact search box at scale (issue 15: ≤ 200 ms at 1,000,000 contacts, both databases).

    .venv/bin/python -m bench.seed --url URL --contacts 1000000      # once
    PYTHONPATH=. .venv/bin/python bench/contact_search.py --url URL [--repeat 7]

Runs what the Contacts page and ``GET /contacts?search=`` run (``service.list_contacts``: the first page
of 50 and the total) for a full name in either order, part of a name, an email, phone digits and an
external id, taken from a contact in the database, and prints the median wall time of each.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time

from sqlalchemy import select

from constituent.crm.contacts import service
from constituent.crm.contacts.models import Contact, Email
from constituent.kit.db import make_engine, make_sessionmaker


def queries(session: object) -> dict[str, str]:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    contact = session.scalars(
        select(Contact)
        .where(Contact.first_name != "", Contact.last_name != "", Contact.phone != "")
        .order_by(Contact.id)
        .offset(123_457 % 1000)
        .limit(1)
    ).one()
    email = session.scalars(select(Email.address_normalized).where(Email.contact_id == contact.id)).first()
    digits = re.sub(r"\D", "", contact.phone)
    found = {
        "full name": f"{contact.first_name} {contact.last_name}",
        "last, first": f"{contact.last_name}, {contact.first_name}",
        "part of both names": f"{contact.first_name[:3]} {contact.last_name[:3]}",
        "phone digits": digits[-7:],
    }
    if email:
        found["whole email"] = email
        found["start of an email"] = email.split("@")[0]
    if contact.external_id:
        found["external id"] = contact.external_id
    found["two letters only (no index can help)"] = contact.last_name[:2].lower()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    engine = make_engine(args.url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        total = session.query(Contact).count()
        asked = queries(session)
    print(f"{engine.dialect.name}: {total:,} contacts; load {os.getloadavg()[0]:.1f}")
    print("| query | typed | median | found |")
    print("|---|---|---|---|")
    for label, text in asked.items():
        times = []
        for _ in range(args.repeat):
            with sessions() as session:
                start = time.perf_counter()
                _contacts, count = service.list_contacts(session, search=text)
                times.append(time.perf_counter() - start)
        print(f"| {label} | `{text}` | {statistics.median(times) * 1000:.0f} ms | {count:,} |")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
