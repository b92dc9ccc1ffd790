"""Possible duplicates, merging two contacts field by field, and deleting a contact (with a warning
saying what happens in Mailchimp). The rules live in ``crm/merges``; this only shows and asks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.models import Contact
from constituent.crm.errors import InvalidInput
from constituent.crm.merges import service as merges
from constituent.crm.merges.schemas import MERGEABLE_FIELDS, MergeRequest
from constituent.integrations.mailchimp.sync.contact_status import mailchimp_status_for_contact
from constituent.kit.numbers import DB_INT_MAX, DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.contact_form import CONTACT_FIELD_LABELS
from constituent.web.pages.deps import PROTECTED, UserDep
from constituent.web.pages.forms import read_form
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)

# A contact's fields as the pages name them (one list, shared with the change log).
LABELS = CONTACT_FIELD_LABELS


@router.get("/contacts/duplicates", response_class=HTMLResponse)
def duplicates_page(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    pairs = merges.possible_duplicates(session)
    people = {
        c.id: c
        for c in contacts.contacts_by_id(session, {i for p in pairs for i in (p.first_id, p.second_id)})
    }
    rows = [(p, people[p.first_id], people[p.second_id]) for p in pairs]
    return render(request, "crm/duplicates.html", {"nav": "contacts", "rows": rows}, user=user)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(getattr(value, "value", value))


def _compare_page(
    request: Request, user: UserDep, session: Session, keep: Contact, other: Contact, status_code: int = 200
) -> HTMLResponse:
    fields = [
        (name, LABELS[name], _shown(getattr(keep, name)), _shown(getattr(other, name)))
        for name in MERGEABLE_FIELDS
    ]
    context = {"nav": "contacts", "keep": keep, "other": other, "fields": fields}
    return render(request, "crm/merge.html", context, status_code=status_code, user=user)


@router.get("/contacts/{keep_id:int}/merge", response_class=HTMLResponse)
def compare(
    keep_id: DbInt, request: Request, user: UserDep, session: SessionDep, other: Annotated[DbInt, Query()]
) -> HTMLResponse:
    return _compare_page(
        request, user, session, contacts.get_contact(session, keep_id), contacts.get_contact(session, other)
    )


@router.post("/contacts/{keep_id:int}/merge", response_model=None)
async def merge(keep_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> Response:
    form = await read_form(request, ["other_id", *(f"pick_{name}" for name in MERGEABLE_FIELDS)])
    other = form.value("other_id")
    if not other.isdigit() or int(other) > DB_INT_MAX:
        raise InvalidInput("other_id", "choose the contact to merge")
    taken = [name for name in MERGEABLE_FIELDS if form.value(f"pick_{name}") == "other"]
    outcome = merges.merge_contacts(
        session,
        keep_id,
        MergeRequest(other_id=int(other), take_from_other=taken),
        user.actor,
    )
    flash(request, "success", f"{outcome.merged_name} was merged into {outcome.contact.display_name}.")
    return RedirectResponse(f"/contacts/{keep_id}", status_code=303)


def mailchimp_on_delete(session: Session, contact_id: int) -> str:
    """What deleting this contact does in Mailchimp, in a staffer's words."""
    statuses = [s for s in mailchimp_status_for_contact(session, contact_id) if s.email]
    if not statuses:
        return "Nothing changes in Mailchimp: this contact is not in any audience."
    parts = []
    for status in statuses:
        if status.status == "subscribed":
            parts.append(
                f"{status.email} is subscribed in {status.audience_name}: the next sync archives that member "
                "(unless another contact has the same address); Mailchimp keeps its history."
            )
        else:
            parts.append(f"{status.email} is {status.status} in {status.audience_name}: it is left as it is.")
    return " ".join(parts)


@router.get("/contacts/{contact_id:int}/delete", response_class=HTMLResponse)
def delete_page(contact_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    contact = contacts.get_contact(session, contact_id)
    context = {"nav": "contacts", "contact": contact, "mailchimp": mailchimp_on_delete(session, contact_id)}
    return render(request, "crm/contact_delete.html", context, user=user)


@router.post("/contacts/{contact_id:int}/delete", response_model=None)
def delete(contact_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> Response:
    name = contacts.get_contact(session, contact_id).display_name
    contacts.delete_contact(session, contact_id, user.actor)
    flash(request, "success", f"{name} was deleted.")
    return RedirectResponse("/contacts", status_code=303)
