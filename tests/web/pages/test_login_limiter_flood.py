"""The login limiter under key flooding (issue 13, item 10): 10,001 cheap failed logins with malformed
emails evicted the counter of a locked account. Now failures are counted by source address as well as by
account, and a locked counter is never evicted to make room."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from constituent.web.pages.login_limiter import MAX_KEYS, SOURCE_MAX_FAILURES, LoginLimiter
from tests.web.pages.conftest import ADMIN, Browser

START = datetime(2026, 1, 1, tzinfo=UTC)


def _lock(limiter: LoginLimiter, email: str, address: str) -> None:
    for second in range(5):
        limiter.failed(email, address, START + timedelta(seconds=second))


def test_a_locked_account_stays_locked_through_a_flood_of_other_keys() -> None:
    limiter = LoginLimiter()
    _lock(limiter, "ann@mailbox.org", "10.0.0.1")
    for n in range(MAX_KEYS + 1):
        # Each from its own address, so the per-source limit does not stop the flood early.
        limiter.failed(f"not-an-email-{n}", f"10.1.{n // 256}.{n % 256}", START + timedelta(seconds=10))
    assert limiter.retry_after("ann@mailbox.org", "10.0.0.1", START + timedelta(seconds=20)) is not None
    assert limiter.tracked_keys() <= 2 * MAX_KEYS


def test_one_address_trying_many_emails_must_wait_for_any_email() -> None:
    limiter = LoginLimiter()
    for n in range(SOURCE_MAX_FAILURES):
        limiter.failed(f"guess-{n}@mailbox.org", "10.0.0.9", START + timedelta(seconds=n))
    later = START + timedelta(minutes=1)
    assert limiter.retry_after("someone-new@mailbox.org", "10.0.0.9", later) is not None
    assert limiter.retry_after("someone-new@mailbox.org", "10.0.0.8", later) is None, "other sources are not"
    assert limiter.retry_after("someone-new@mailbox.org", "10.0.0.9", START + timedelta(minutes=10)) is None


def test_a_successful_login_does_not_forgive_the_sources_failures() -> None:
    limiter = LoginLimiter()
    for n in range(SOURCE_MAX_FAILURES - 1):
        limiter.failed(f"guess-{n}@mailbox.org", "10.0.0.9", START)
    limiter.succeeded("mine@mailbox.org", "10.0.0.9")
    limiter.failed("guess-last@mailbox.org", "10.0.0.9", START)
    assert limiter.retry_after("anyone@mailbox.org", "10.0.0.9", START) is not None


def test_the_login_page_holds_back_an_address_that_tried_too_many_emails(visitor: Browser) -> None:
    for n in range(SOURCE_MAX_FAILURES):
        assert visitor.log_in(f"nobody-{n}", password="guess").status_code == 400
    refused = visitor.log_in(ADMIN)
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.text
