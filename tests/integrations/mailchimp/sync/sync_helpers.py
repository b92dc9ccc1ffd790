"""Running real syncs in tests: a connected integration on the emulator, people made through the CRM
services, and the audience read back from the emulator's export."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.models import Contact
from constituent.crm.contacts.schemas import ContactCreate, ContactUpdate, EmailIn
from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.integrations.mailchimp import mappings, service
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.integrations.mailchimp.schemas import AudienceContact, CampaignDefaults, ConnectRequest
from constituent.integrations.mailchimp.sync import ledger, runs
from constituent.integrations.mailchimp.sync.desired import build_desired
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.models import RunMode, SyncRun
from constituent.integrations.mailchimp.sync.types import LedgerEntry
from constituent.kit.clock import today
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from tests.integrations.mailchimp.conftest import Product
from tests.support.emulator import account_on

ACTOR = "test"
# What the issue asks the sync to survive: 5% server errors, 2% throttling, and connection resets.
FAULTS = {"error_rate": 0.05, "error_statuses": [500, 503], "throttle_rate": 0.02, "reset_rate": 0.02}


@dataclass
class Audience:
    """A connected integration and its audience in the emulator."""

    product: Product
    integration_id: int
    audience_id: str
    account_id: str
    api_key: str

    @property
    def database(self) -> Database:
        return Database(self.product.db.engine, self.product.db.sessions)

    def sync(self, **options: Any) -> SyncRun:
        return run_sync(self.database, self.product.settings, self.integration_id, **options)

    def full(self, **options: Any) -> SyncRun:
        return self.sync(mode=RunMode.full, **options)

    def members(self) -> dict[str, dict[str, Any]]:
        """Every member Mailchimp holds (export: status, merge fields, tags, interests), by address."""
        body = self.product.emulator.control("GET", f"lists/{self.audience_id}/export")
        return {m["email_address"].lower(): m for m in body["members"]}

    def member(self, email: str) -> dict[str, Any]:
        return self.members()[email.lower()]

    def person_action(self, email: str, action: str, **body: Any) -> None:
        path = f"lists/{self.audience_id}/members/{subscriber_hash(email)}/{action}"
        self.product.emulator.control("POST", path, body)

    def emulator_writes(self) -> int:
        stats = self.product.emulator.control("GET", "stats", account_id=self.account_id)
        return sum(n for route, n in stats["requests"].items() if not route.startswith("GET"))

    def latest_run(self) -> SyncRun:
        with self.product.db.sessions() as session:
            run = runs.latest_for_integration(session, self.integration_id)
        assert run is not None
        return run

    def ledger(self) -> dict[str, LedgerEntry]:
        with self.product.db.sessions() as session:
            return ledger.load_all(session, self.integration_id)

    def desired_tags(self) -> dict[str, frozenset[str]]:
        """The tags the database wants, by lower-cased address (the expected end state)."""
        with self.product.db.sessions() as session:
            integration = service.get_integration(session, self.integration_id)
            result = build_desired(session, integration, today())
        return {m.email.lower(): m.tags for m in result.members.values()}


def connect(product: Product) -> Audience:
    account = account_on(product.emulator, "monthly")
    request = ConnectRequest(
        name="Supporters",
        contact=AudienceContact(company="Parks", address1="1 Elm St", city="Springfield", country="US"),
        permission_reminder="You signed up at one of our events.",
        campaign_defaults=CampaignDefaults(
            from_name="Parks", from_email="news@parks.co.uk", subject="Parks news"
        ),
    )
    credentials = Credentials("api_key", account.api_key, product.emulator.api_base)
    with session_scope(product.db.sessions) as session:
        integration = asyncio.run(service.connect(session, product.box, request, credentials))
    account.client.close()
    return Audience(product, integration.id, integration.audience_id, account.account_id, account.api_key)


def add_people(product: Product, *emails: str, **fields: Any) -> list[int]:
    """Eligible individuals, one per address (first name from the address; ``fields`` set on each)."""
    ids = []
    with session_scope(product.db.sessions) as session:
        for email in emails:
            data = ContactCreate(
                first_name=email.split("@")[0].title(),
                emails=[EmailIn(address=email, is_primary=True)],
                **{"last_name": "Tester", **fields},
            )
            ids.append(contacts.create_contact(session, data, ACTOR).id)
    return ids


def update_person(product: Product, contact_id: int, **changes: Any) -> None:
    with session_scope(product.db.sessions) as session:
        contacts.update_contact(session, contact_id, ContactUpdate(**changes), ACTOR)


def contact(session: Session, contact_id: int) -> Contact:
    return contacts.get_contact(session, contact_id)


def inject_faults(product: Product) -> None:
    product.emulator.control("PUT", "faults", {**FAULTS, "seed": 7})


def change_primary_email(product: Product, contact_id: int, address: str) -> None:
    with session_scope(product.db.sessions) as session:
        contacts.add_email(session, contact_id, EmailIn(address=address, is_primary=True), ACTOR)


def group_with(product: Product, name: str, contact_ids: list[int]) -> int:
    with session_scope(product.db.sessions) as session:
        group = groups.create_group(session, name, actor="test")
        groups.add_to_group(session, group.id, contact_ids, method=MembershipMethod.user, actor="test")
        return group.id


def map_group_as(
    audience: Audience, group_id: int, target: SourceTarget, name: str | None = None
) -> str | None:
    product = audience.product
    with session_scope(product.db.sessions) as session:
        integration = service.get_integration(session, audience.integration_id)
        source = asyncio.run(mappings.map_group(session, product.box, integration, group_id, target, name))
        return source.interest_id
