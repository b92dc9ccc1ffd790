"""The single organization settings row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.crm.organization.models import SETTINGS_ROW_ID, OrganizationSettings
from constituent.kit.upsert import insert_unless_exists


def get(session: Session) -> OrganizationSettings | None:
    return session.get(OrganizationSettings, SETTINGS_ROW_ID)


def create_default_unless_exists(session: Session) -> None:
    insert_unless_exists(
        session, OrganizationSettings, {"id": SETTINGS_ROW_ID}, unique=OrganizationSettings.id
    )
