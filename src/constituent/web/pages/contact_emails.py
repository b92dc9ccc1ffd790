"""A contact's emails on the Summary tab: add one, make one primary, mark its status, remove one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from constituent.crm.contacts import service
from constituent.crm.contacts.models import EmailStatus
from constituent.crm.contacts.schemas import EmailIn
from constituent.crm.errors import Conflict, DuplicateEmail, InvalidInput
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.contact_pages import CONTACT, contact_url, render_summary
from constituent.web.pages.deps import PROTECTED, UserDep
from constituent.web.pages.rendering import flash

router = APIRouter(dependencies=PROTECTED)
EMAIL = CONTACT + "/emails/{email_id:int}"


@router.post(CONTACT + "/emails")
def add_email(
    contact_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    address: Annotated[str, Form(max_length=320)] = "",
    primary: Annotated[bool, Form()] = False,
    allow_duplicate: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    data = EmailIn(address=address, is_primary=primary)
    try:
        row = service.add_email(session, contact_id, data, user.actor, refuse_held=not allow_duplicate)
        flash(request, "success", f"{row.address} was added.")
    except DuplicateEmail as held:
        return render_summary(request, user, session, contact_id, held=held)
    except (InvalidInput, Conflict) as exc:
        flash(request, "error", f"The email was not added: {getattr(exc, 'message', str(exc))}")
    return RedirectResponse(contact_url(contact_id), status_code=303)


@router.post(EMAIL + "/primary")
def make_primary(
    contact_id: DbInt, email_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> Response:
    _own_email(session, contact_id, email_id)
    row = service.set_primary_email(session, email_id, user.actor)
    flash(request, "success", f"{row.address} is now the primary email.")
    return RedirectResponse(contact_url(contact_id), status_code=303)


@router.post(EMAIL + "/remove")
def remove_email(
    contact_id: DbInt, email_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> Response:
    _own_email(session, contact_id, email_id)
    try:
        service.remove_email(session, email_id, user.actor)
        flash(request, "success", "The email was removed.")
    except InvalidInput as exc:
        flash(request, "error", exc.message.capitalize() + ".")
    return RedirectResponse(contact_url(contact_id), status_code=303)


def _own_email(session: Session, contact_id: DbInt, email_id: DbInt) -> None:
    """The email must belong to the contact in the URL: a form cannot reach another contact's email."""
    contact = service.get_contact(session, contact_id)
    if all(email.id != email_id for email in contact.emails):
        raise InvalidInput("email", f"email {email_id} is not an email of contact {contact_id}")


@router.post(EMAIL + "/status")
def set_status(
    contact_id: DbInt,
    email_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    status: Annotated[EmailStatus, Form()] = EmailStatus.ok,
) -> Response:
    _own_email(session, contact_id, email_id)
    row = service.update_email(session, email_id, status=status, actor=user.actor)
    flash(request, "success", f"{row.address} is marked {row.status.value}.")
    return RedirectResponse(contact_url(contact_id), status_code=303)
