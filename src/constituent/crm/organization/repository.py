"""The single organization settings row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.crm.organization.models import SETTINGS_ROW_ID, OrganizationSettings
from constituent.kit.upsert import insert_unless_exists

# The session's identity map holds an unchanged row weakly: dropped once no caller holds it, the next
# ``session.get`` asks the database again (a sync's layout asked for it sixteen times). Held here for the
# session's life; a commit still expires it, so each transaction reads the row once.
_HELD = "organization_settings"


def get(session: Session) -> OrganizationSettings | None:
    settings = session.get(OrganizationSettings, SETTINGS_ROW_ID)
    if settings is not None:
        session.info[_HELD] = settings
    return settings


def create_default_unless_exists(session: Session) -> None:
    insert_unless_exists(
        session, OrganizationSettings, {"id": SETTINGS_ROW_ID}, unique=OrganizationSettings.id
    )
