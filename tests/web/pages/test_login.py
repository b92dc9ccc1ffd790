"""Logging in and out through the real form: the page asked for, the rate limit, no open redirects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from constituent.web.pages.auth import safe_next
from constituent.web.pages.login_limiter import LoginLimiter
from tests.web.pages.conftest import ADMIN, STAFF, Browser


def test_logging_in_brings_the_person_to_the_page_they_asked_for(visitor: Browser) -> None:
    response = visitor.log_in(ADMIN, next_path="/integrations")
    assert response.status_code == 303
    assert response.headers["location"] == "/integrations"
    page = visitor.get("/integrations")
    assert page.status_code == 200
    assert ADMIN in page.text


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(visitor: Browser) -> None:
    response = visitor.log_in(ADMIN, password="not the password")
    assert response.status_code == 400
    assert "do not match an active user" in response.text
    assert visitor.get("/").status_code == 303


@pytest.mark.slow
def test_logging_in_again_after_five_failures_must_wait(visitor: Browser) -> None:
    for _ in range(5):
        assert visitor.log_in(STAFF, password="guess guess").status_code == 400
    refused = visitor.log_in(STAFF)  # even the right password waits now
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.text
    assert visitor.log_in(ADMIN).status_code == 303, "another email is not held back"


def test_the_limiter_counts_failures_per_email_and_address_within_five_minutes() -> None:
    limiter, start = LoginLimiter(), datetime(2026, 1, 1, tzinfo=UTC)
    for second in range(5):
        limiter.failed("Ann@Mailbox.org", "10.0.0.1", start + timedelta(seconds=second))
    assert limiter.retry_after("ann@mailbox.org", "10.0.0.1", start + timedelta(minutes=1)) is not None
    assert limiter.retry_after("ann@mailbox.org", "10.0.0.2", start) is None
    assert limiter.retry_after("ann@mailbox.org", "10.0.0.1", start + timedelta(minutes=5, seconds=1)) is None


def test_a_successful_login_forgets_earlier_failures() -> None:
    limiter, now = LoginLimiter(), datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(4):
        limiter.failed("ann@mailbox.org", "10.0.0.1", now)
    limiter.succeeded("ann@mailbox.org", "10.0.0.1")
    limiter.failed("ann@mailbox.org", "10.0.0.1", now)
    assert limiter.retry_after("ann@mailbox.org", "10.0.0.1", now) is None


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [
        ("/contacts?page=2", "/contacts?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
    ],
)
def test_after_login_people_only_go_to_pages_of_this_site(asked: str, sent_to: str) -> None:
    assert safe_next(asked) == sent_to


def test_logging_out_ends_the_session(admin: Browser) -> None:
    response = admin.submit("/logout")
    assert response.status_code == 303
    assert "You are logged out." in admin.get("/login").text
    assert admin.get("/").status_code == 303
