"""Changing an integration's options after connecting: its name, the nightly sync time, double opt-in,
whether Mailchimp profile edits are applied, and the removal guard.

Nothing here talks to Mailchimp: each option is read when it is used (the scheduler reads the nightly
time on every tick, the sync reads double opt-in as ``status_if_new`` for members it adds, the inbound
processor reads accept_profile_changes per event), so storing the new value is the whole change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.errors import InvalidInput
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.schemas import NIGHTLY_TIME, SettingsChange

NAME_MAX = 200
GUARD_MIN, GUARD_MAX = 1, 100


def _name(value: str) -> str:
    name = value.strip()
    if not name:
        raise InvalidInput("name", "must not be empty")
    if len(name) > NAME_MAX:
        raise InvalidInput("name", f"must be at most {NAME_MAX} characters")
    return name


def _nightly_time(value: str) -> str:
    if not NIGHTLY_TIME.match(value):
        raise InvalidInput("nightly_time", f"{value!r} is not HH:MM (24-hour), e.g. 02:00")
    return value


def _guard(value: int) -> int:
    if not GUARD_MIN <= value <= GUARD_MAX:
        raise InvalidInput(
            "removal_guard_percent", f"must be a whole percent from {GUARD_MIN} to {GUARD_MAX}, not {value}"
        )
    return value


def checked(changes: SettingsChange) -> dict[str, Any]:
    """The given options, each checked; raises InvalidInput naming the first bad one."""
    given = changes.model_dump(exclude_none=True)
    return {field: _CHECKS.get(field, _same)(value) for field, value in given.items()}


def _same(value: Any) -> Any:
    return value  # the switches: their type is all there is to check


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": _name,
    "nightly_time": _nightly_time,
    "removal_guard_percent": _guard,
}


def update_settings(session: Session, integration_id: int, changes: SettingsChange) -> MailchimpIntegration:
    """Store the changed options (all or none: every value is checked first). The caller commits."""
    integration = service.get_integration(session, integration_id)
    for field, value in checked(changes).items():
        setattr(integration, field, value)
    session.flush()
    return integration
