"""The Contributions tab of a contact: their gifts, newest first; add, edit and delete a gift.

Amounts are typed as people write them ("$1,500", "1 500,00": ``contributions.amounts``), the currency
is chosen from a list, and a date in the future is saved only once the person confirms it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from constituent.crm.contacts.service import get_contact
from constituent.crm.contributions.models import Contribution
from constituent.crm.contributions.schemas import ContributionCreate, ContributionUpdate
from constituent.crm.contributions.service import (
    create_contribution,
    delete_contribution,
    get_contribution,
    list_contributions,
    update_contribution,
)
from constituent.crm.errors import NotFound
from constituent.kit.clock import today
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.contact_pages import CONTACT, contact_url, render_tab
from constituent.web.pages.deps import PROTECTED, PageUser, UserDep
from constituent.web.pages.forms import FormState, read_form, validation_errors
from constituent.web.pages.mailchimp_form import Field
from constituent.web.pages.paging import PAGE_SIZE, PageNumber, offset, page_count
from constituent.web.pages.rendering import flash

router = APIRouter(dependencies=PROTECTED)
GIFT = CONTACT + "/contributions/{contribution_id:int}"
# The currencies offered; a gift stored in another (through the API or an import) keeps its own.
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "MXN", "SEK", "NOK", "DKK")
FIELDS = (
    Field("amount", "Amount", required=True, hint="e.g. 25, $1,500 or 1 500,00"),
    Field("currency", "Currency", kind="select", options=CURRENCIES),
    Field("received_on", "Received on", required=True, kind="date"),
    Field("method", "Method", hint="e.g. check, card, cash"),
    Field("designation", "Designation", hint="The fund or purpose of the gift."),
)
NAMES = tuple(f.name for f in FIELDS)
M = TypeVar("M", bound=BaseModel)
FUTURE = "confirm_future"
FUTURE_MESSAGE = "This date is in the future. If it is right, tick “Yes, this date is right” and save again."


def _tab(
    request: Request,
    user: PageUser,
    session: Session,
    contact_id: DbInt,
    form: FormState,
    page: int = 1,
    editing: Contribution | None = None,
) -> HTMLResponse:
    contact = get_contact(session, contact_id)
    rows, total = list_contributions(session, contact_id=contact_id, limit=PAGE_SIZE, offset=offset(page))
    context = {
        "contributions": rows,
        "total": total,
        "page": page,
        "pages": page_count(total),
        "form": form,
        "fields": FIELDS,
        "editing": editing,
        "asks_future": form.errors.get("received_on") == FUTURE_MESSAGE,
    }
    return render_tab(request, user, contact, "contributions", context, 400 if form.errors else 200)


def _gift_of(session: Session, contact_id: DbInt, contribution_id: DbInt) -> Contribution:
    """The contact's own gift: a URL cannot reach another contact's."""
    gift = get_contribution(session, contribution_id)
    if gift.contact_id != contact_id:
        raise NotFound("contribution", contribution_id)
    return gift


def _validated(model: type[M], form: FormState, extra: dict[str, Any]) -> M | None:
    """The form as ``model``, or None with the form's errors set (in words, on their fields)."""
    values = {name: form.value(name) for name in NAMES if form.value(name)}
    try:
        data = model.model_validate({**values, **extra})
    except ValidationError as exc:
        form.errors = validation_errors(exc)
        return None
    received: date | None = getattr(data, "received_on", None)
    if received is not None and received > today() and form.value(FUTURE) != "on":
        form.errors["received_on"] = FUTURE_MESSAGE
        return None
    return data


@router.get(CONTACT + "/contributions", response_class=HTMLResponse)
def contributions(
    contact_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    page: PageNumber = 1,
) -> HTMLResponse:
    form = FormState(values={"currency": "USD", "received_on": today().isoformat()})
    return _tab(request, user, session, contact_id, form, page)


@router.post(CONTACT + "/contributions", response_model=None)
async def add_contribution(
    contact_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> Response:
    form = await read_form(request, (*NAMES, FUTURE))
    data = _validated(ContributionCreate, form, {"contact_id": contact_id})
    if data is None:
        return _tab(request, user, session, contact_id, form)
    gift = create_contribution(session, data, user.actor)
    flash(request, "success", f"The contribution of {gift.amount} {gift.currency} was added.")
    return RedirectResponse(contact_url(contact_id, "contributions"), status_code=303)


@router.get(GIFT + "/edit", response_class=HTMLResponse)
def edit_form(
    contact_id: DbInt, contribution_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> HTMLResponse:
    gift = _gift_of(session, contact_id, contribution_id)
    values = {name: str(getattr(gift, name) or "") for name in NAMES}
    values["received_on"] = gift.received_on.isoformat()
    return _tab(request, user, session, contact_id, FormState(values=values), editing=gift)


@router.post(GIFT + "/edit", response_model=None)
async def edit_contribution(
    contact_id: DbInt, contribution_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> Response:
    gift = _gift_of(session, contact_id, contribution_id)
    form = await read_form(request, (*NAMES, FUTURE))
    data = _validated(ContributionUpdate, form, {})
    if data is None:
        return _tab(request, user, session, contact_id, form, editing=gift)
    # Emptied text fields are cleared: the update schema leaves out what is not given.
    cleared = {name: "" for name in ("method", "designation") if not form.value(name)}
    update_contribution(session, gift.id, data.model_copy(update=cleared), user.actor)
    flash(request, "success", f"The contribution was changed: {gift.amount} {gift.currency}.")
    return RedirectResponse(contact_url(contact_id, "contributions"), status_code=303)


@router.post(GIFT + "/delete")
def delete(
    contact_id: DbInt, contribution_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> RedirectResponse:
    gift = _gift_of(session, contact_id, contribution_id)
    said = f"{gift.amount} {gift.currency} received on {gift.received_on.isoformat()}"
    delete_contribution(session, gift.id, user.actor)
    flash(request, "success", f"The contribution of {said} was deleted.")
    return RedirectResponse(contact_url(contact_id, "contributions"), status_code=303)
