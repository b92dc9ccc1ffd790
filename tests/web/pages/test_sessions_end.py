"""Sessions end on the server (issue 13, item 9): a session cookie copied before logout, before a
password change or before the user is deactivated stops working, and cannot mint an API token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from constituent.auth.models import ApiToken, User
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.web.pages.conftest import STAFF, Browser


@pytest.fixture
def thief(app: FastAPI) -> Iterator[Browser]:
    with TestClient(app) as client:
        yield Browser(client)


def _copy_cookies(victim: Browser, thief: Browser) -> None:
    for name, value in victim.client.cookies.items():
        thief.client.cookies.set(name, value)
    thief.token = victim.token


def _tokens(db: TestDatabase) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ApiToken)) or 0)


def _is_locked_out(thief: Browser, db: TestDatabase) -> None:
    assert thief.get("/").status_code == 303, "the copied cookie still opens pages"
    before = _tokens(db)
    minted = thief.submit("/tokens", {"name": "stolen"})
    assert minted.status_code in (303, 403), minted.text
    assert _tokens(db) == before, "the copied cookie minted an API token"


def test_a_cookie_copied_before_logout_stops_working(
    staff: Browser, thief: Browser, db: TestDatabase
) -> None:
    _copy_cookies(staff, thief)
    assert thief.get("/").status_code == 200, "the copy works while the session lives"
    assert staff.submit("/logout").status_code == 303
    _is_locked_out(thief, db)


@pytest.mark.slow
def test_a_cookie_copied_before_a_password_change_stops_working(
    staff: Browser, admin: Browser, thief: Browser, db: TestDatabase
) -> None:
    _copy_cookies(staff, thief)
    with db.sessions() as session:
        staff_id = session.scalar(select(User.id).where(User.email == STAFF))
    admin.get("/admin/users")
    changed = admin.submit(f"/admin/users/{staff_id}/password", {"password": "a brand new passphrase"})
    assert changed.status_code == 303
    _is_locked_out(thief, db)
    assert staff.get("/").status_code == 303, "every session of that user ended"


def test_an_admin_changing_their_own_password_stays_logged_in(admin: Browser, db: TestDatabase) -> None:
    with db.sessions() as session:
        admin_id = session.scalar(select(User.id).where(User.role == "admin"))
    admin.get("/admin/users")
    assert (
        admin.submit(f"/admin/users/{admin_id}/password", {"password": "a brand new passphrase"}).status_code
        == 303
    )
    assert admin.get("/").status_code == 200


@pytest.mark.slow
def test_a_cookie_of_a_deactivated_user_stops_working(
    staff: Browser, thief: Browser, db: TestDatabase
) -> None:
    _copy_cookies(staff, thief)
    with session_scope(db.sessions) as session:
        user = session.scalars(select(User).where(User.email == STAFF)).one()
        user.is_active = False
    _is_locked_out(thief, db)
