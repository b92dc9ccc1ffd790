"""A realistic, seeded demo dataset, loaded through the same CSV importer people use.

Individuals, organizations and vendors; some inactive or do-not-email; households sharing one
address; groups; gifts over five years; a few saved searches. The same seed gives the same data.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from constituent.crm.contacts.models import Contact
from constituent.crm.contributions.models import Contribution
from constituent.crm.imports.importer import ImportOptions, ImportResult, import_csv
from constituent.crm.organization.schemas import OrganizationSettingsUpdate
from constituent.crm.organization.service import update_settings
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.crm.searches.service import create_search
from constituent.kit.db import session_scope

GROUPS = ["Newsletter", "Volunteers", "Event attendees", "Monthly donors", "Board", "Yard signs"]
HEADER = [
    "kind", "first_name", "last_name", "organization_name", "email", "is_active", "do_not_email", "groups",
    "external_id", "secondary_emails", "street", "city", "state", "postal_code", "country", "phone",
]  # fmt: skip
SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("Springfield neighbours", {"field": "city", "op": "eq", "value": "Springfield"}),
    ("Gmail readers", {"field": "email_domain", "op": "eq", "value": "gmail.com"}),
    ("Gave $250 or more", {"field": "total_given", "op": "gte", "value": 250}),
    ("West coast", {"field": "state", "op": "in", "value": ["CA", "OR", "WA"]}),
]
CITIES = [("Springfield", "IL", "62701"), ("Portland", "OR", "97201"), ("Oakland", "CA", "94601"),
          ("Seattle", "WA", "98101"), ("Madison", "WI", "53703"), ("Austin", "TX", "78701")]  # fmt: skip


@dataclass(frozen=True)
class DemoData:
    contacts: int
    contributions: int
    merged: int = 0  # generated rows sharing an email with an earlier row: folded into that contact
    rejected: int = 0
    first_rejection: str = ""


def _row(fake: Faker, rng: random.Random, number: int, household_email: str | None) -> dict[str, str]:
    roll = rng.random()
    kind = "individual" if roll < 0.82 else "organization" if roll < 0.94 else "vendor"
    city, state, postal = rng.choice(CITIES)
    first, last = fake.first_name(), fake.last_name()
    domain = rng.choice(["gmail.com", "yahoo.com", "outlook.com", "icloud.com", fake.domain_name()])
    email = household_email or f"{first}.{last}.{number}@{domain}".lower().replace("'", "")
    organization = fake.company() if kind != "individual" else ""
    return {
        "kind": kind,
        "first_name": first if kind == "individual" else "",
        "last_name": last if kind == "individual" else "",
        "organization_name": organization,
        "email": email if rng.random() < 0.9 else "",
        "is_active": "no" if rng.random() < 0.05 else "yes",
        "do_not_email": "yes" if rng.random() < 0.03 else "no",
        "groups": ";".join(g for g in GROUPS if rng.random() < 0.12),
        "external_id": f"demo-{number}",
        "secondary_emails": f"{first}.{number}@work.co.uk".lower() if rng.random() < 0.1 else "",
        "street": fake.street_address(),
        "city": city,
        "state": state,
        "postal_code": postal,
        "country": "US",
        "phone": fake.numerify("555-###-####"),
    }


def write_csv(path: Path, contacts: int, seed: int) -> None:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        previous = ""
        for number in range(1, contacts + 1):
            # About 2% of people share the previous person's address (a household email).
            household = previous if previous and rng.random() < 0.02 else None
            row = _row(fake, rng, number, household)
            previous = row["email"]
            writer.writerow(row)


def _gifts(contact_ids: list[int], seed: int, today: date) -> list[Contribution]:
    rng = random.Random(seed)
    gifts = []
    for contact_id in contact_ids:
        if rng.random() > 0.3:
            continue
        for _ in range(rng.randint(1, 6)):
            amount = Decimal(rng.choice([10, 25, 25, 50, 100, 250, 500, 1000, 2500]))
            day = today - timedelta(days=rng.randint(0, 5 * 365))
            gifts.append(Contribution(contact_id=contact_id, amount=amount, received_on=day, method="card"))
    return gifts


def load(
    sessions: sessionmaker[Session], workdir: Path, *, contacts: int, seed: int, today: date
) -> DemoData:
    """Import the contacts, then add gifts, saved searches and the organization's details."""
    csv_path = workdir / "demo-contacts.csv"
    write_csv(csv_path, contacts, seed)
    result: ImportResult = import_csv(
        sessions, csv_path, actor="demo", options=ImportOptions(create_groups=True)
    )
    with session_scope(sessions) as session:
        ids = list(session.scalars(select(Contact.id).order_by(Contact.id)))
        gifts = _gifts(ids, seed, today)
        # Demo seeding is its own boundary: plain inserts, no change log entries for made-up history.
        session.add_all(gifts)
        for name, tree in SEARCHES:
            create_search(session, SavedSearchCreate(name=name, filter={"all": [tree]}))
        update_settings(session, _organization())
    return DemoData(
        contacts=result.created,
        contributions=len(gifts),
        merged=len(result.merged),
        rejected=len(result.rejected),
        first_rejection=result.rejected[0].error if result.rejected else "",
    )


def _organization() -> OrganizationSettingsUpdate:
    return OrganizationSettingsUpdate(
        organization_name="Friends of Springfield Parks",
        street="1 Elm Street",
        city="Springfield",
        state="IL",
        postal_code="62701",
        country="US",
        from_name="Friends of Springfield Parks",
        from_email="news@parks.co.uk",
    )
