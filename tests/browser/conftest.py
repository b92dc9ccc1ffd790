"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium, installed by
`.ci/run`); Playwright never downloads a browser here. Our app is served on a real port, the Mailchimp
emulator on another, and the browser goes between them as a person's would."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from constituent.auth import service as auth_service
from constituent.auth.models import Role
from constituent.kit.db import make_engine, make_sessionmaker, session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.models import Base
from tests.support.emulator import RunningEmulator
from tests.support.live_app import LiveApp, free_port, serve_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# An assertion waits for its element as long as an action does (Playwright's own default is 5 s): the
# suite runs six workers on two cores, and the API docs page (Swagger UI's script) once took longer than
# 5 s to draw under that load. A test about what a page shows, not how fast.
expect.set_options(timeout=20_000)
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@mailbox.org", "admin password"


def log_in(page: Page, site: Site) -> None:
    """Through the login form, landing on Contacts."""
    page.goto(f"{site.app.base_url}/contacts")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    # Module scope, not session: Playwright's sync API keeps an event loop running in the main thread
    # while it is open, and every later test that calls asyncio.run() would fail.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where pictures go: docs/screenshots when CONSTITUENT_SCREENSHOTS names it, else the test's tmp dir."""
    folder = Path(os.environ.get("CONSTITUENT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class Site:
    app: LiveApp
    database: Database
    settings: Settings
    emulator: RunningEmulator


@pytest.fixture
def queue_url() -> str:
    """Force Sync runs its job in the request (Huey immediate mode); a test that watches a run in the
    background overrides this with a real queue and starts a worker (tests/jobs cover real queues)."""
    return "memory://"


@pytest.fixture
def site(tmp_path: Path, emulator: RunningEmulator, queue_url: str) -> Iterator[Site]:
    """Constituent on a real port with an OAuth app registered at the emulator, on a SQLite database
    (the pages' behaviour on PostgreSQL is covered by tests/web/pages)."""
    sock = free_port()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    oauth_app = emulator.control(
        "POST", "oauth-apps", {"redirect_uris": [f"{base_url}/integrations/mailchimp/oauth/callback"]}
    )
    settings = Settings(
        data_dir=tmp_path / "data",
        base_url=base_url,
        mailchimp_api_base=emulator.api_base,
        mailchimp_oauth_base=emulator.base_url,
        mailchimp_client_id=oauth_app["client_id"],
        mailchimp_client_secret=oauth_app["client_secret"],
        queue_url=queue_url,
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'site.db'}")
    Base.metadata.create_all(engine)
    database = Database(engine, make_sessionmaker(engine))
    with session_scope(database.sessions) as session:
        auth_service.create_user(session, ADMIN_EMAIL, ADMIN_PASSWORD, role=Role.admin)
    with serve_app(settings, database, sock) as live:
        yield Site(live, database, settings, emulator)
    engine.dispose()
