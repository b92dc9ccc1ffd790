"""The real app with its pages, on the test database; people log in through the real login form."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from fastapi.testclient import TestClient

from constituent.auth.models import Role, User
from constituent.auth.passwords import hash_password
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.web.app import create_app
from constituent.web.sessions import COOKIE_NAME
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount, RunningEmulator, account_on

PASSWORD = "correct horse battery"
ADMIN = "admin@mailbox.org"
STAFF = "staff@mailbox.org"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@functools.cache
def _password_hash() -> str:
    # argon2 is slow on purpose; hash once for every test user.
    return hash_password(PASSWORD)


def form_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


@dataclass
class Browser:
    """A TestClient that keeps its cookies like a browser, and knows its session's form token."""

    client: TestClient
    token: str = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, follow_redirects=False, **kwargs)
        if response.status_code == 200 and 'name="csrf_token"' in response.text:
            self.token = form_token(response.text)
        return response

    def submit(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form as the page would: with this session's token."""
        return self.client.post(
            path, data={"csrf_token": self.token, **(data or {})}, follow_redirects=False, **kwargs
        )

    def log_in(self, email: str, password: str = PASSWORD, next_path: str = "/") -> Any:
        self.get("/login")
        return self.submit("/login", {"email": email, "password": password, "next": next_path})


# One secret key per test worker: a session cookie signed in one test's app is then valid in the next
# one's (see ``_logged_in``). Each test still has its own database, data directory and emulator account.
_WORKER_SECRET_KEY = Fernet.generate_key().decode()
# The session cookie of each test user's first real login in this worker.
_SESSION_COOKIES: dict[str, str] = {}


@pytest.fixture
def settings(tmp_path: Path, emulator: RunningEmulator) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        secret_keys=_WORKER_SECRET_KEY,
        base_url="http://testserver",
        mailchimp_api_base=emulator.api_base,
        mailchimp_oauth_base=emulator.base_url,
        # Force Sync runs its job in the request (Huey immediate mode); tests/jobs cover real queues.
        queue_url="memory://",
    )


@pytest.fixture
def users(db: TestDatabase) -> None:
    with session_scope(db.sessions) as session:
        session.add(User(email=ADMIN, password_hash=_password_hash(), role=Role.admin))
        session.add(User(email=STAFF, password_hash=_password_hash(), role=Role.staff))


@pytest.fixture
def app(db: TestDatabase, settings: Settings, users: None) -> FastAPI:
    return create_app(settings, database=Database(engine=db.engine, sessions=db.sessions))


@pytest.fixture
def visitor(app: FastAPI) -> Iterator[Browser]:
    with TestClient(app) as client:
        yield Browser(client)


def _logged_in(app: FastAPI, email: str) -> Iterator[Browser]:
    """A browser logged in as ``email``: through the login form the first time in this worker, then with
    that login's cookie, as a browser that stayed logged in would. Every test database holds the same two
    users (same ids, same session generation), so the app's own session checks accept it; argon2's
    deliberate 0.13 s a login was a tenth of the page tests' time."""
    with TestClient(app) as client:
        browser = Browser(client)
        if email in _SESSION_COOKIES:
            client.cookies.set(COOKIE_NAME, _SESSION_COOKIES[email])
        if browser.get("/").status_code != 200:  # no cookie yet, or a test with a secret key of its own
            client.cookies.clear()
            assert browser.log_in(email).status_code == 303
            _SESSION_COOKIES[email] = client.cookies[COOKIE_NAME]
            assert browser.get("/").status_code == 200
        yield browser


@pytest.fixture
def admin(app: FastAPI) -> Iterator[Browser]:
    yield from _logged_in(app, ADMIN)


@pytest.fixture
def staff(app: FastAPI) -> Iterator[Browser]:
    yield from _logged_in(app, STAFF)


@pytest.fixture(autouse=True)
def _mailchimp_requests_checked_against_the_spec(spec_checked_httpx: None) -> None:
    """Whatever the pages make our client send to the emulator is validated against Mailchimp's spec."""


@pytest.fixture
def account(emulator: RunningEmulator) -> Iterator[McAccount]:
    """A fresh account on the emulator (monthly plan: audiences may be created)."""
    created = account_on(emulator, "monthly")
    yield created
    created.client.close()
