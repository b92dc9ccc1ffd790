"""Organization settings: one row, created on first read, so every database has one."""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.crm.organization import repository
from constituent.crm.organization.models import OrganizationSettings
from constituent.crm.organization.schemas import OrganizationSettingsUpdate


def get_settings(session: Session) -> OrganizationSettings:
    settings = repository.get(session)
    if settings is None:
        repository.create_default_unless_exists(session)
        settings = repository.get(session)
    assert settings is not None  # created just above, or by a concurrent writer
    return settings


def update_settings(session: Session, changes: OrganizationSettingsUpdate) -> OrganizationSettings:
    settings = get_settings(session)
    for field, value in changes.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(settings, field, value)
    session.flush()
    return settings
