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


@pytest.fixture
def settings(tmp_path: Path, emulator: RunningEmulator) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        secret_keys=Fernet.generate_key().decode(),
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
    with TestClient(app) as client:
        browser = Browser(client)
        assert browser.log_in(email).status_code == 303
        browser.get("/")
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
