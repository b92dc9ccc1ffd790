"""An API client over the real app and database, with tokens for an admin and a staff member."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from constituent.auth import service
from constituent.auth.models import Role, User
from constituent.auth.passwords import hash_password
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.web.app import create_app
from tests.conftest import TestDatabase


@dataclass(frozen=True)
class Tokens:
    admin: str
    staff: str
    revoked: str


@functools.cache
def _password_hash() -> str:
    # argon2 is slow on purpose (~0.5 s here); the API tests only need users to exist, so hash once.
    return hash_password("a password nobody types")


@pytest.fixture
def tokens(db: TestDatabase) -> Tokens:
    with session_scope(db.sessions) as session:
        for email, role in (("admin@mailbox.org", Role.admin), ("staff@mailbox.org", Role.staff)):
            session.add(User(email=email, password_hash=_password_hash(), role=role))
        admin = service.create_token(session, "admin@mailbox.org").raw
        staff = service.create_token(session, "staff@mailbox.org").raw
        revoked = service.create_token(session, "admin@mailbox.org")
        service.revoke_token(session, revoked.token.id)
    return Tokens(admin=admin, staff=staff, revoked=revoked.raw)


@pytest.fixture
def app(db: TestDatabase, tmp_path: Path) -> FastAPI:
    # Its own data directory: keys generated on first use never land in the checkout's ./data.
    settings = Settings(data_dir=tmp_path / "data", database_url=db.url)
    return create_app(settings, database=Database(engine=db.engine, sessions=db.sessions))


@pytest.fixture
def anonymous(app: FastAPI) -> TestClient:
    return TestClient(app)


def client_for(app: FastAPI, token: str) -> TestClient:
    """Paths are relative to /api/v1: ``client.get("/contacts")``."""
    return TestClient(app, base_url="http://testserver/api/v1", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def api(app: FastAPI, tokens: Tokens) -> TestClient:
    """A client calling /api/v1 as the staff member."""
    return client_for(app, tokens.staff)


@pytest.fixture
def admin_api(app: FastAPI, tokens: Tokens) -> TestClient:
    return client_for(app, tokens.admin)
