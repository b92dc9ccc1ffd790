"""Activities on a contact: what happened to them (an email sent, an unsubscribe, a gift, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.activities import repository
from constituent.crm.activities.models import Activity
from constituent.crm.activities.types import LOGGED_TYPES
from constituent.crm.errors import InvalidInput, NotFound
from constituent.kit.clock import utcnow

_MAX_LENGTHS = {"type": 50, "subject": 300, "source": 50, "dedupe_key": 200}


def _check_lengths(values: dict[str, str | None]) -> None:
    for field, value in values.items():
        if value is not None and len(value) > _MAX_LENGTHS[field]:
            raise InvalidInput(field, f"must be at most {_MAX_LENGTHS[field]} characters")
    if not values["type"]:
        raise InvalidInput("type", "must not be empty")


def record_activity(
    session: Session,
    contact_id: int,
    type: str,
    subject: str,
    occurred_at: datetime,
    source: str = "",
    details: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Activity:
    """Record an activity; with a ``dedupe_key`` a second call returns the first activity unchanged.

    Writers that may run twice (webhook retries, campaign trackers re-reading a report) pass a
    dedupe_key so a contact never shows the same event twice.
    """
    _check_lengths({"type": type, "subject": subject, "source": source, "dedupe_key": dedupe_key})
    if occurred_at.tzinfo is None:
        raise InvalidInput("occurred_at", "must include a time zone")
    if not repository.contact_exists(session, contact_id):
        raise NotFound("contact", contact_id)
    values = {
        "contact_id": contact_id,
        "type": type,
        "subject": subject,
        "occurred_at": occurred_at,
        "source": source,
        "details": details or {},
        "dedupe_key": dedupe_key,
        "created_at": utcnow(),
    }
    if dedupe_key is None:
        activity = Activity(**values)
        repository.add(session, activity)
        return activity
    repository.insert_deduplicated(session, values)
    return repository.get_by_dedupe_key(session, dedupe_key)


def log_by_hand(
    session: Session, contact_id: int, kind: str, subject: str, occurred_at: datetime, by: str
) -> Activity:
    """A note, call, meeting or email a person logged (on the profile, over the API or from the CLI),
    credited to ``by``: the one place that says which types a person may log and that words are needed."""
    if kind not in LOGGED_TYPES:
        raise InvalidInput("type", f"must be one of {', '.join(LOGGED_TYPES)}")
    if not subject.strip():
        raise InvalidInput("subject", "must say in a few words what happened")
    at = occurred_at.astimezone(UTC) if occurred_at.tzinfo is not None else occurred_at
    return record_activity(session, contact_id, kind, subject.strip(), at, source=by)


def list_activities(
    session: Session, contact_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Activity], int]:
    """A contact's activities, newest first, one page at a time, with the total count."""
    if not repository.contact_exists(session, contact_id):
        raise NotFound("contact", contact_id)
    return repository.list_for_contact(session, contact_id, limit=limit, offset=offset)
