"""A contact's emails: add one, change its address or status, make it primary, remove it."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from constituent.crm.contacts import service
from constituent.crm.contacts.models import EmailStatus
from constituent.crm.contacts.schemas import EmailAdd, EmailOut
from constituent.kit.numbers import DbInt
from constituent.web.deps import PrincipalDep, SessionDep

router = APIRouter(tags=["emails"])


class EmailUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    address: str | None = Field(default=None, max_length=320)
    status: EmailStatus | None = None
    # A new address another contact holds is refused (409 naming that contact) unless set.
    allow_duplicate: bool = False


@router.post("/contacts/{contact_id}/emails", status_code=status.HTTP_201_CREATED, response_model=EmailOut)
def add_email(contact_id: DbInt, data: EmailAdd, session: SessionDep, principal: PrincipalDep) -> EmailOut:
    added = service.add_email(
        session, contact_id, data, principal.actor, refuse_held=not data.allow_duplicate
    )
    return EmailOut.model_validate(added)


@router.patch("/emails/{email_id}", response_model=EmailOut)
def update_email(
    email_id: DbInt, data: EmailUpdate, session: SessionDep, principal: PrincipalDep
) -> EmailOut:
    email = service.update_email(
        session,
        email_id,
        address=data.address,
        status=data.status,
        actor=principal.actor,
        refuse_held=not data.allow_duplicate,
    )
    return EmailOut.model_validate(email)


@router.post("/emails/{email_id}/set-primary", response_model=EmailOut)
def set_primary_email(email_id: DbInt, session: SessionDep, principal: PrincipalDep) -> EmailOut:
    return EmailOut.model_validate(service.set_primary_email(session, email_id, principal.actor))


@router.delete("/emails/{email_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_email(email_id: DbInt, session: SessionDep, principal: PrincipalDep) -> None:
    service.remove_email(session, email_id, principal.actor)
