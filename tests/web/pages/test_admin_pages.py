"""Users (administrators only) and API tokens (shown once, listed by prefix, revoked), and the dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from constituent.auth.service import authenticate, get_user_by_email, list_tokens
from constituent.crm.activities.service import record_activity
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.web.pages.conftest import ADMIN, STAFF, Browser
from tests.web.pages.crm_helpers import a_contact


@pytest.mark.slow
def test_an_admin_adds_a_user_who_can_then_log_in(admin: Browser, app: FastAPI, db: TestDatabase) -> None:
    admin.get("/admin/users")
    response = admin.submit(
        "/admin/users", {"email": "New@Mailbox.org", "password": "a long password", "role": "staff"}
    )
    assert response.status_code == 303
    assert "new@mailbox.org can now log in (staff)." in admin.get("/admin/users").text
    with TestClient(app) as client:
        assert Browser(client).log_in("new@mailbox.org", "a long password").status_code == 303


def test_adding_a_user_names_the_wrong_field(admin: Browser) -> None:
    admin.get("/admin/users")
    short = admin.submit("/admin/users", {"email": "x@mailbox.org", "password": "short"})
    assert short.status_code == 400 and 'id="f-password-error"' in short.text
    taken = admin.submit("/admin/users", {"email": STAFF, "password": "a long password"})
    assert taken.status_code == 400 and 'id="f-email-error"' in taken.text and "already exists" in taken.text


@pytest.mark.slow
def test_an_admin_sets_a_new_password_for_a_user(admin: Browser, db: TestDatabase) -> None:
    with db.sessions() as session:
        staff_id = get_user_by_email(session, STAFF).id
    assert f'action="/admin/users/{staff_id}/password"' in admin.get("/admin/users").text
    admin.submit(f"/admin/users/{staff_id}/password", {"password": "brand new password"})
    assert f"The password of {STAFF} was changed." in admin.get("/admin/users").text
    with session_scope(db.sessions) as session:
        assert authenticate(session, STAFF, "brand new password") is not None
        assert authenticate(session, ADMIN, "brand new password") is None


def test_staff_cannot_see_or_change_users(staff: Browser) -> None:
    assert staff.get("/admin/users").status_code == 403
    assert (
        staff.submit("/admin/users", {"email": "x@mailbox.org", "password": "a long password"}).status_code
        == 403
    )
    assert 'href="/admin/users"' not in staff.get("/").text


def test_a_token_is_shown_once_listed_by_its_prefix_and_revoked(staff: Browser, db: TestDatabase) -> None:
    staff.get("/tokens")
    created = staff.submit("/tokens", {"name": "website form"})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    raw = re.search(r'id="new-token" type="text" value="(cst_[^"]+)"', created.text)
    assert raw is not None
    listing = staff.get("/tokens").text
    assert raw.group(1) not in listing, "the token is shown only once"
    assert raw.group(1)[:12] + "…" in listing and "website form" in listing
    with db.sessions() as session:
        [token] = list_tokens(session)
    staff.submit(f"/tokens/{token.id}/revoke")
    assert "was revoked" in staff.get("/tokens").text
    with db.sessions() as session:
        assert list_tokens(session)[0].revoked_at is not None


def test_staff_see_only_their_own_tokens_and_cannot_revoke_others(
    admin: Browser, staff: Browser, db: TestDatabase
) -> None:
    admin.get("/tokens")
    admin.submit("/tokens", {"name": "admin's script"})
    assert "admin&#39;s script" not in staff.get("/tokens").text
    with db.sessions() as session:
        [token] = list_tokens(session)
    assert staff.submit(f"/tokens/{token.id}/revoke").status_code == 403
    assert ADMIN in admin.get("/tokens").text


def test_the_dashboard_counts_and_shows_recent_activity(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    with session_scope(db.sessions) as session:
        record_activity(session, contact_id, "email", "Spring appeal", datetime(2026, 3, 1, tzinfo=UTC))
    page = admin.get("/").text
    assert "Recent activity" in page and "Spring appeal" in page
    assert f'href="/contacts/{contact_id}/activities">Ann Lee</a>' in page
    assert '<span class="count-number">1</span> <span class="count-label">Contacts</span>' in page
