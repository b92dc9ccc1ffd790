"""Run the demo: data, the local Mailchimp emulator, the app with its worker, Mailchimp connected through
the real OAuth pages, the first sync, a few unsubscribes and a campaign; then serve until Ctrl-C.

Everything lives in the data dir, so running it again reuses the database, the emulator's saved state,
the emulator account, the integration and the demo login (no second connection or first sync).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
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
from constituent.demo import dataset, story
from constituent.demo.oauth_connect import AppLogin, MailchimpLogin, connect_through_oauth
from constituent.integrations.mailchimp import oauth
from constituent.integrations.mailchimp import repository as mc_repository
from constituent.integrations.mailchimp import service as mc_service
from constituent.integrations.mailchimp.sync.outcome import outcome_words
from constituent.jobs.worker import EmbeddedWorker
from constituent.kit import migrate
from constituent.kit.clock import today
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database, database_for
from constituent.kit.settings import Settings
from constituent.web.app import create_app
from mailchimp_emulator.app import create_app as create_emulator
from mailchimp_emulator.config import EmulatorConfig

DEMO_ADMIN = "admin@mailbox.org"
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
    # Say why the count is short of what was asked for, so nobody thinks rows were lost.
    if loaded.merged:
        say(
            f"  {loaded.merged:,} generated rows shared an email with an earlier row (a household), "
            "so the importer merged each into that contact instead of adding a duplicate."
        )
    if loaded.rejected:
        say(f"  {loaded.rejected:,} rows were rejected, e.g.: {loaded.first_rejection}")


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


def ensure_emulator_account(settings: Settings, emulator_url: str) -> dict[str, str]:
    """The emulator account the demo connects to, and an OAuth app whose return address is this app's."""
    path = settings.data_dir / "demo-emulator-account.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if "login" not in stored:
        created = httpx.post(
            f"{emulator_url}/_emulator/accounts",
            json={"plan": "monthly", "login": "demo", "password": "demo"},
            timeout=30,
        ).json()
        stored = {"api_key": created["api_key"], "login": "demo", "password": "demo"}
    redirect_uri = f"{settings.base_url}{oauth.CALLBACK_PATH}"
    if stored.get("redirect_uri") != redirect_uri:
        app = httpx.post(
            f"{emulator_url}/_emulator/oauth-apps",
            json={"redirect_uris": [redirect_uri], "name": "Constituent demo"},
            timeout=30,
        ).json()
        stored |= {"client_id": app["client_id"], "client_secret": app["client_secret"]}
        stored["redirect_uri"] = redirect_uri
    _private_json(path, stored)
    return stored


def ensure_integration(database: Database, settings: Settings, login: dict[str, str], say: Say) -> int | None:
    """Connect through the real pages and Mailchimp's login, unless an integration exists; returns the
    new integration's id (None when reused)."""
    with database.sessions() as session:
        if mc_repository.list_all(session):
            say("Reusing the Mailchimp integration.")
            return None
    account = json.loads((settings.data_dir / "demo-emulator-account.json").read_text())
    integration_id = connect_through_oauth(
        settings.base_url,
        AppLogin(login["email"], login["password"]),
        MailchimpLogin(account["login"], account["password"]),
    )
    say(f"Connected Mailchimp through its login page (OAuth) as integration {integration_id}.")
    return integration_id


def register_missing_webhooks(database: Database, settings: Settings, say: Say) -> None:
    """An integration whose webhook could not be registered (the app was down) gets it now."""
    box = SecretBox.from_settings(settings)
    with session_scope(database.sessions) as session:
        for integration in mc_repository.list_all(session):
            if integration.webhook_id is None:
                asyncio.run(mc_service.register_integration_webhook(integration, box, settings.base_url))
                say(f"Webhook of integration {integration.id}: {integration.webhook_state.value}.")


@dataclass
class RunningApp:
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_app(settings: Settings, database: Database, options: DemoOptions) -> RunningApp:
    """The app on its port, in a thread (the main thread stays free for the demo and for Ctrl-C)."""
    config = uvicorn.Config(
        create_app(settings, database=database), host=options.host, port=options.port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the app did not start on port {options.port} (is it in use?)")
        time.sleep(0.05)
    return RunningApp(server, thread)


def tell_the_story(
    database: Database, settings: Settings, integration_id: int, emulator_url: str, say: Say
) -> None:
    """The first time: the first sync, a few unsubscribes, a campaign."""
    run = story.first_sync(database, settings, integration_id)
    say(f"First sync {outcome_words(run.status, run.errors)}: {run.created:,} members added to the audience.")
    if run.message:
        say(f"  ({run.message})")
    story.unsubscribe_a_few(database, settings, emulator_url, integration_id, say)
    story.send_a_campaign(database, settings, emulator_url, integration_id, say)


class PortInUse(Exception):
    """A port the demo needs is taken; the message names it and the option that changes it."""


def _check_free(host: str, port: int, option: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: a port left in TIME_WAIT by the last run is free, one being listened on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise PortInUse(
                f"Port {port} is already in use by another program: "
                f"start the demo on another with {option} (for example {option} {port + 1})."
            ) from None


def run(settings: Settings, options: DemoOptions, say: Say) -> None:
    # Checked before anything is built, so a taken port costs one line, not a traceback after minutes.
    _check_free(options.host, options.port, "--port")
    _check_free(options.host, options.emulator_port, "--emulator-port")
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
    stack: list[Callable[[], None]] = [emulator.stop]
    try:
        account = ensure_emulator_account(settings, emulator_url)
        settings = settings.model_copy(
            update={
                "mailchimp_client_id": account["client_id"],
                "mailchimp_client_secret": account["client_secret"],
            }
        )
        # The worker runs in this process, as with `constituent serve --with-worker`.
        worker = EmbeddedWorker(settings, database, workers=2, periodic=True)
        worker.start()
        stack.append(worker.stop)
        stack.append(start_app(settings, database, options).stop)
        new_integration = ensure_integration(database, settings, login, say)
        register_missing_webhooks(database, settings, say)
        if new_integration is not None:
            tell_the_story(database, settings, new_integration, emulator_url, say)
        say("")
        say(f"Constituent is at {settings.base_url}  (API docs: {settings.base_url}/api/v1/docs)")
        say(f"  log in: {login['email']} / {login['password']}")
        say(f"  API token: {login['api_token']}")
        say(f"Mailchimp emulator at {emulator_url}/3.0/  (account login demo / demo)")
        say("Press Ctrl-C to stop.")
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        say("Stopping...")
    finally:
        for stop in reversed(stack):
            stop()
