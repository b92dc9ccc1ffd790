"""A running Constituent (real HTTP) registered as the webhook of an emulator audience, so the emulator's
person actions (unsubscribe, bounce, change-email, update-profile, signup, send-campaign) arrive as real
deliveries. Nothing processes the inbox until a test calls ``process()`` (the worker is "down")."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from constituent.auth import service as auth_service
from constituent.auth.models import Role, User
from constituent.crm.groups import service as groups
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.connecting import connect_and_register
from constituent.integrations.mailchimp.inbound.models import WebhookEvent
from constituent.integrations.mailchimp.inbound.processing import process_pending
from constituent.integrations.mailchimp.models import MailchimpIntegration, SyncMode, WebhookState
from constituent.integrations.mailchimp.schemas import AudienceContact, CampaignDefaults, ConnectRequest
from constituent.integrations.mailchimp.webhook_registration import webhook_url
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.kit.tls import shared_ssl_context
from tests.conftest import TestDatabase
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience
from tests.support.emulator import RunningEmulator, account_on
from tests.support.live_app import free_port, serve_app
from tests.web.conftest import _password_hash


@dataclass
class Live:
    audience: Audience
    url: str  # our webhook URL, secret included
    http: httpx.Client

    @property
    def product(self) -> Product:
        return self.audience.product

    @property
    def database(self) -> Database:
        return self.audience.database

    @property
    def integration_id(self) -> int:
        return self.audience.integration_id

    def deliveries(self) -> list[dict[str, Any]]:
        body = self.product.emulator.control("GET", "webhooks/deliveries")
        return [d for d in body["deliveries"] if d["url"] == self.url]

    def settle(self, count: int) -> list[dict[str, Any]]:
        """Wait until at least ``count`` deliveries to us have ended (delivered, dropped, failed)."""
        deadline = time.monotonic() + 15
        while True:
            done = [d for d in self.deliveries() if d["outcome"] != "pending"]
            if len(done) >= count:
                return done
            pending = [d.get("attempts") for d in self.deliveries() if d["outcome"] == "pending"]
            assert time.monotonic() < deadline, (
                f"only {len(done)} of {count} deliveries ended; the pending ones' attempts: {pending}"
            )
            time.sleep(0.05)

    def process(self) -> int:
        return process_pending(self.database, self.product.settings, integration_id=self.integration_id)

    def inbox(self) -> list[WebhookEvent]:
        with self.product.db.sessions() as session:
            return list(session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))

    def post(self, fields: dict[str, str], url: str | None = None) -> httpx.Response:
        """Deliver a payload ourselves, as Mailchimp would (a retry, a late or a crafted one)."""
        return self.http.post(url or self.url, data=fields, headers={"User-Agent": "MailChimp.com"})

    def person(self, email: str, action: str, **body: Any) -> None:
        self.audience.person_action(email, action, **body)

    def api(self, role: Role = Role.admin) -> httpx.Client:
        """Our REST API over HTTP, as a user with ``role`` and a fresh token."""
        email = f"{role.value}-{time.monotonic_ns()}@mailbox.org"
        with session_scope(self.product.db.sessions) as session:
            session.add(User(email=email, password_hash=_password_hash(), role=role))
            session.flush()
            raw = auth_service.create_token(session, email).raw
        base = self.url.split("/webhooks/")[0]
        headers = {"Authorization": f"Bearer {raw}"}
        return httpx.Client(
            base_url=f"{base}/api/v1", headers=headers, timeout=30, verify=shared_ssl_context()
        )

    def update_integration(self, **values: Any) -> None:
        with session_scope(self.product.db.sessions) as session:
            integration = session.get(MailchimpIntegration, self.integration_id)
            assert integration is not None
            for name, value in values.items():
                setattr(integration, name, value)


LiveFactory = Callable[..., Live]


@pytest.fixture
def queue_url() -> str | None:
    """The app's queue: by default a file queue nobody consumes (the worker is down); a test may
    parametrize ``memory://`` to have each requested job run at once."""
    return None


@pytest.fixture
def live_factory(
    db: TestDatabase, emulator: RunningEmulator, tmp_path: Path, queue_url: str | None
) -> Iterator[LiveFactory]:
    sock = free_port()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db.url,
        mailchimp_api_base=emulator.api_base,
        mailchimp_oauth_base=emulator.base_url,
        base_url=base_url,
        queue_url=queue_url,
    )
    product = Product(settings, db, emulator)
    database = Database(db.engine, db.sessions)
    with serve_app(settings, database, sock), httpx.Client(timeout=10, verify=shared_ssl_context()) as http:

        def make(mode: SyncMode = SyncMode.all_individuals, group_names: tuple[str, ...] = ()) -> Live:
            with session_scope(db.sessions) as session:
                for name in group_names:
                    groups.create_group(session, name, actor="test")
            return _connect(product, http, mode, list(group_names))

        yield make


def _connect(product: Product, http: httpx.Client, mode: SyncMode, group_names: list[str]) -> Live:
    account = account_on(product.emulator, "monthly")
    account.client.close()
    request = ConnectRequest(
        name="Supporters",
        contact=AudienceContact(company="Parks", address1="1 Elm St", city="Springfield", country="US"),
        permission_reminder="You signed up at one of our events.",
        campaign_defaults=CampaignDefaults(from_name="Parks", from_email="news@parks.co.uk", subject="News"),
        mode=mode,
        groups=group_names,
    )
    credentials = Credentials("api_key", account.api_key, product.emulator.api_base)
    box = product.box
    with session_scope(product.db.sessions) as session:
        integration = asyncio.run(
            connect_and_register(session, box, request, credentials, product.settings.base_url)
        )
        assert integration.webhook_state is WebhookState.registered, integration.webhook_error
        url = webhook_url(
            product.settings.base_url, integration.id, box.decrypt(integration.webhook_secret_encrypted)
        )
        audience = Audience(
            product, integration.id, integration.audience_id, account.account_id, account.api_key
        )
    return Live(audience, url, http)


@pytest.fixture
def live(live_factory: LiveFactory) -> Live:
    return live_factory()


@pytest.fixture
def live_groups(live_factory: LiveFactory) -> Live:
    return live_factory(SyncMode.groups, ("Members",))


def integration_of(live: Live) -> MailchimpIntegration:
    with live.product.db.sessions() as session:
        return service.get_integration(session, live.integration_id)
