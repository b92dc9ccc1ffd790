"""Reading a contact's history: activities (paged, newest first) and the change log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict

from constituent.crm.activities.changelog import changes_for_contact
from constituent.crm.activities.schemas import ActivityLog, ActivityOut
from constituent.crm.activities.service import list_activities, log_by_hand
from constituent.crm.contacts.service import get_contact
from constituent.kit.clock import utcnow
from constituent.kit.numbers import DbInt
from constituent.web.api.pagination import MAX_LIMIT, Page, PageDep
from constituent.web.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/contacts/{contact_id}", tags=["history"])


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    entity: str
    entity_id: int | None
    field: str
    old_value: str | None
    new_value: str | None
    changed_by: str
    changed_at: datetime


class RecentChanges(BaseModel):
    """The newest changes first, at most ``limit`` of them."""

    items: list[ChangeOut]
    limit: int


@router.get("/activities", response_model=Page[ActivityOut])
def contact_activities(contact_id: DbInt, session: SessionDep, page: PageDep) -> Page[ActivityOut]:
    activities, total = list_activities(session, contact_id, limit=page.limit, offset=page.offset)
    return page.page([ActivityOut.model_validate(a) for a in activities], total)


@router.post("/activities", status_code=status.HTTP_201_CREATED, response_model=ActivityOut)
def log_activity(
    contact_id: DbInt, data: ActivityLog, session: SessionDep, principal: PrincipalDep
) -> ActivityOut:
    """Log a note, call, meeting or email on the contact, credited to the token's user."""
    at = data.occurred_at or utcnow()
    activity = log_by_hand(session, contact_id, data.type, data.subject, at, principal.email)
    return ActivityOut.model_validate(activity)


@router.get("/changes", response_model=RecentChanges)
def contact_changes(
    contact_id: DbInt, session: SessionDep, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 200
) -> RecentChanges:
    get_contact(session, contact_id)
    entries = changes_for_contact(session, contact_id, limit=limit)
    return RecentChanges(items=[ChangeOut.model_validate(e) for e in entries], limit=limit)
