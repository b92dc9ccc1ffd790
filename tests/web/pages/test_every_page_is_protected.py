"""Every page needs a session and every change needs the session's form token. The routes are read from
the registry ``install_pages`` serves (web/pages/__init__.py), so a page added later is covered without
anyone remembering to add it here."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from constituent.auth.models import User
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from constituent.web.pages import PROTECTED_ROUTERS, PUBLIC_ROUTERS
from constituent.web.sessions import COOKIE_NAME
from tests.conftest import TestDatabase
from tests.web.pages.conftest import ADMIN, Browser

PUBLIC_PATHS = {
    route.path for router in PUBLIC_ROUTERS for route in router.routes if isinstance(route, APIRoute)
}


def page_routes(_app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every page the app serves, path parameters filled in."""
    return [
        (method, re.sub(r"\{[^}]+\}", "1", route.path))
        for router in (*PUBLIC_ROUTERS, *PROTECTED_ROUTERS)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods)
    ]


def protected_routes(app: FastAPI) -> list[tuple[str, str]]:
    return [(method, path) for method, path in page_routes(app) if path not in PUBLIC_PATHS]


def changing_routes(app: FastAPI) -> list[tuple[str, str]]:
    return [(method, path) for method, path in page_routes(app) if method not in {"GET", "HEAD"}]


def test_the_app_has_the_pages_this_file_checks(app: FastAPI) -> None:
    paths = {path for _, path in page_routes(app)}
    assert {"/", "/login", "/logout", "/integrations", "/integrations/mailchimp/new"} <= paths
    assert len(changing_routes(app)) >= 5


@pytest.mark.slow
def test_every_page_sends_a_visitor_without_a_session_to_the_login_form(
    visitor: Browser, app: FastAPI
) -> None:
    for method, path in protected_routes(app):
        response = visitor.client.request(method, path, follow_redirects=False)
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"].startswith("/login"), (method, path)


def test_a_page_asked_for_comes_back_after_login(visitor: Browser) -> None:
    response = visitor.get("/integrations?tab=installed")
    assert response.headers["location"] == "/login?next=%2Fintegrations%3Ftab%3Dinstalled"


def test_htmx_requests_without_a_session_are_told_to_load_the_login_page(visitor: Browser) -> None:
    response = visitor.client.get("/integrations/mailchimp/1/status", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login?next=")


@pytest.mark.slow
@pytest.mark.parametrize("token", ["", "not-the-session-token"])
def test_every_change_refuses_a_missing_or_wrong_form_token(admin: Browser, app: FastAPI, token: str) -> None:
    for method, path in changing_routes(app):
        response = admin.client.request(method, path, data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code)
        assert "Form expired" in response.text
    assert admin.get("/").status_code == 200, "a refused form does not end the session"


def test_a_form_token_from_another_session_is_refused(admin: Browser, visitor: Browser) -> None:
    visitor.get("/login")
    response = admin.client.post("/logout", data={"csrf_token": visitor.token}, follow_redirects=False)
    assert response.status_code == 403


def test_the_session_cookie_is_signed_httponly_and_samesite_lax(visitor: Browser) -> None:
    response = visitor.get("/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()


def test_the_session_cookie_is_secure_when_the_site_is_served_over_https(
    db: TestDatabase, settings: Settings, users: None
) -> None:
    from constituent.kit.runtime import Database
    from constituent.web.app import create_app

    https = settings.model_copy(update={"base_url": "https://crm.example.org"})
    app = create_app(https, database=Database(db.engine, db.sessions))
    with TestClient(app, base_url="https://testserver") as client:
        cookie = client.get("/login").headers["set-cookie"]
    assert "secure" in cookie.lower()


def test_a_forged_session_cookie_is_not_a_session(visitor: Browser) -> None:
    visitor.client.cookies.set(COOKIE_NAME, "eyJ1aWQiOiAxfQ==.forged.signature")
    response = visitor.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_deactivated_user_is_logged_out_at_the_next_page(admin: Browser, db: TestDatabase) -> None:
    with session_scope(db.sessions) as session:
        user = session.query(User).filter_by(email=ADMIN).one()
        user.is_active = False
    response = admin.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_metrics_are_for_an_administrators_session_not_a_staff_one(admin: Browser, staff: Browser) -> None:
    assert admin.get("/metrics").status_code == 200
    assert staff.get("/metrics").status_code == 401


def test_readiness_answers_without_a_session_and_names_only_what_it_checked(visitor: Browser) -> None:
    response = visitor.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok", "queue": "ok"})
