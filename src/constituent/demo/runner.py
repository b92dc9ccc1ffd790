"""Run the demo: data, the local Mailchimp emulator, a connected integration, and the app.

Everything lives in the data dir, so running it again reuses the database, the emulator's saved state,
the emulator account and the demo login.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import func, select

from constituent.auth import service as auth_service
from constituent.auth.models import Role, User
from constituent.crm.contacts.models import Contact
from constituent.demo import dataset
from constituent.integrations.mailchimp import repository as mc_repository
from constituent.integrations.mailchimp import service as mc_service
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.schemas import AudienceContact, CampaignDefaults, ConnectRequest
from constituent.kit import migrate
from constituent.kit.clock import today
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database, database_for
from constituent.kit.settings import Settings
from constituent.web.app import create_app
from mailchimp_emulator.app import create_app as create_emulator
from mailchimp_emulator.config import EmulatorConfig

DEMO_ADMIN = "admin@example.org"
Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    emulator_port: int = 8025
    contacts: int = 20_000
    seed: int = 2026


def _private_json(path: Path, payload: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(payload, handle, indent=2)


def ensure_data(database: Database, settings: Settings, options: DemoOptions, say: Say) -> None:
    with database.sessions() as session:
        count = session.scalar(select(func.count()).select_from(Contact)) or 0
    if count:
        say(f"Reusing the demo database ({count:,} contacts).")
        return
    say(f"Creating {options.contacts:,} demo contacts (seed {options.seed})...")
    loaded = dataset.load(
        database.sessions, settings.data_dir, contacts=options.contacts, seed=options.seed, today=today()
    )
    say(f"Imported {loaded.contacts:,} contacts and {loaded.contributions:,} gifts.")


def ensure_login(database: Database, settings: Settings) -> dict[str, str]:
    """The demo admin; its password and an API token are kept in the data dir (mode 600)."""
    path = settings.data_dir / "demo-login.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored
    password = secrets.token_urlsafe(12)
    with session_scope(database.sessions) as session:
        if session.scalar(select(User).where(User.email == DEMO_ADMIN)) is None:
            auth_service.create_user(session, DEMO_ADMIN, password, role=Role.admin)
        else:
            auth_service.set_password(session, DEMO_ADMIN, password)
        token = auth_service.create_token(session, DEMO_ADMIN, name="demo").raw
    login = {"email": DEMO_ADMIN, "password": password, "api_token": token}
    _private_json(path, login)
    return login


@dataclass
class RunningEmulator:
    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        """Save its state (the data dir keeps the audience between demo runs), then shut it down."""
        try:
            httpx.post(f"{self.url}/_emulator/save", timeout=30)
        finally:
            self.server.should_exit = True
            self.thread.join(timeout=30)


def start_emulator(settings: Settings, options: DemoOptions) -> RunningEmulator:
    config = EmulatorConfig(
        host=options.host,
        port=options.emulator_port,
        state_file=settings.data_dir / "emulator-state.jsonl.gz",
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_emulator(config), host=options.host, port=options.emulator_port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the emulator did not start on port {options.emulator_port} (is it in use?)")
        time.sleep(0.05)
    return RunningEmulator(server, thread, f"http://{options.host}:{options.emulator_port}")


def ensure_emulator_account(settings: Settings, emulator_url: str) -> str:
    path = settings.data_dir / "demo-emulator-account.json"
    if path.exists():
        return str(json.loads(path.read_text())["api_key"])
    created = httpx.post(
        f"{emulator_url}/_emulator/accounts", json={"plan": "monthly", "login": "demo", "password": "demo"}
    ).json()
    _private_json(path, {"api_key": created["api_key"], "login": "demo", "password": "demo"})
    return str(created["api_key"])


def ensure_integration(database: Database, settings: Settings, api_key: str, say: Say) -> None:
    with database.sessions() as session:
        if mc_repository.list_all(session):
            say("Reusing the Mailchimp integration.")
            return
    box = SecretBox.from_settings(settings)
    request = ConnectRequest(
        name="Demo audience",
        contact=AudienceContact(
            company="Friends of Springfield Parks",
            address1="1 Elm Street",
            city="Springfield",
            state="IL",
            zip="62701",
            country="US",
        ),
        permission_reminder="You are receiving this email because you support our parks.",
        campaign_defaults=CampaignDefaults(
            from_name="Friends of Springfield Parks", from_email="news@parks.example", subject="Parks news"
        ),
    )
    credentials = Credentials("api_key", api_key, str(settings.mailchimp_api_base))
    with session_scope(database.sessions) as session:
        integration = asyncio.run(mc_service.connect(session, box, request, credentials))
    say(f"Connected the emulator's audience {integration.audience_id} as integration {integration.id}.")


def register_webhooks_when_up(database: Database, settings: Settings, say: Say) -> None:
    """Mailchimp validates a webhook URL by calling it, so this waits until the app answers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{settings.base_url}/healthz", timeout=2)
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    box = SecretBox.from_settings(settings)
    with session_scope(database.sessions) as session:
        for integration in mc_repository.list_all(session):
            if integration.webhook_id is None:
                asyncio.run(mc_service.register_integration_webhook(integration, box, settings.base_url))
                say(f"Webhook of integration {integration.id}: {integration.webhook_state.value}.")


def run(settings: Settings, options: DemoOptions, say: Say) -> None:
    emulator_url = f"http://{options.host}:{options.emulator_port}"
    settings = settings.model_copy(
        update={
            "mailchimp_api_base": f"{emulator_url}/3.0",
            "mailchimp_oauth_base": emulator_url,
            "base_url": f"http://{options.host}:{options.port}",
        }
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = database_for(settings)
    migrate.upgrade(database.engine)
    ensure_data(database, settings, options, say)
    login = ensure_login(database, settings)
    emulator = start_emulator(settings, options)
    try:
        api_key = ensure_emulator_account(settings, emulator_url)
        ensure_integration(database, settings, api_key, say)
        say("")
        say(f"Constituent is at {settings.base_url}  (API docs: {settings.base_url}/api/v1/docs)")
        say(f"  log in: {login['email']} / {login['password']}")
        say(f"  API token: {login['api_token']}")
        say(f"Mailchimp emulator at {emulator_url}/3.0/  (account login demo / demo)")
        say("Press Ctrl-C to stop.")
        threading.Thread(
            target=register_webhooks_when_up, args=(database, settings, say), daemon=True
        ).start()
        uvicorn.run(
            create_app(settings, database=database), host=options.host, port=options.port, log_level="warning"
        )
    finally:
        emulator.stop()
