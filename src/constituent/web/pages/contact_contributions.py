"""The Contributions tab of a contact: their gifts, newest first, and the "Add contribution" form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from constituent.crm.contacts.service import get_contact
from constituent.crm.contributions.schemas import ContributionCreate
from constituent.crm.contributions.service import create_contribution, list_contributions
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
FIELDS = (
    Field("amount", "Amount", required=True, hint="e.g. 25.00"),
    Field("currency", "Currency", hint="Three letters; USD if left empty."),
    Field("received_on", "Received on", required=True, kind="date"),
    Field("method", "Method", hint="e.g. check, card, cash"),
    Field("designation", "Designation", hint="The fund or purpose of the gift."),
)
NAMES = tuple(f.name for f in FIELDS)


def _tab(
    request: Request, user: PageUser, session: Session, contact_id: DbInt, form: FormState, page: int = 1
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
    }
    return render_tab(request, user, contact, "contributions", context, 400 if form.errors else 200)


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
    form = await read_form(request, NAMES)
    values = {name: form.value(name) for name in NAMES if form.value(name)}
    try:
        data = ContributionCreate.model_validate({**values, "contact_id": contact_id})
    except ValidationError as exc:
        form.errors = validation_errors(exc)
        return _tab(request, user, session, contact_id, form)
    gift = create_contribution(session, data, user.actor)
    flash(request, "success", f"The contribution of {gift.amount} {gift.currency} was added.")
    return RedirectResponse(contact_url(contact_id, "contributions"), status_code=303)
