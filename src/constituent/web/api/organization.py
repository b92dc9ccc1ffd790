"""Organization settings: anyone may read them; only administrators change them."""

from __future__ import annotations

from fastapi import APIRouter

from constituent.crm.organization.schemas import OrganizationSettingsOut, OrganizationSettingsUpdate
from constituent.crm.organization.service import get_settings, update_settings
from constituent.web.deps import AdminDep, SessionDep

router = APIRouter(prefix="/organization", tags=["organization"])


@router.get("", response_model=OrganizationSettingsOut)
def read_settings(session: SessionDep) -> OrganizationSettingsOut:
    return OrganizationSettingsOut.model_validate(get_settings(session))


@router.put("", response_model=OrganizationSettingsOut)
def change_settings(
    data: OrganizationSettingsUpdate, session: SessionDep, _admin: AdminDep
) -> OrganizationSettingsOut:
    return OrganizationSettingsOut.model_validate(update_settings(session, data))
