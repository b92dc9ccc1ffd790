"""The emulator's one reading of the wall clock, truncated to the second as Mailchimp's timestamps are."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
