"""A contact's profile: new-contact form, Summary (with edit and emails), Activities and Change Log tabs.

Each tab is its own URL (bookmarkable); Contributions and Groups have their own modules.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, object_session

from constituent.auth.repository import list_users
from constituent.crm.activities.changelog import changes_for_contact
from constituent.crm.activities.service import list_activities, log_by_hand
from constituent.crm.activities.types import LOGGED_TYPES, activity_label
from constituent.crm.contacts import service
from constituent.crm.contacts.models import Contact, EmailStatus
from constituent.crm.errors import DuplicateEmail, InvalidInput
from constituent.crm.groups.service import contact_groups
from constituent.crm.profile import repository as profile
from constituent.kit.clock import today
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages import change_words, contact_form
from constituent.web.pages.contact_mailchimp import mailchimp_panels
from constituent.web.pages.deps import PROTECTED, PageUser, UserDep, page_zone
from constituent.web.pages.forms import FormInvalid, FormState, input_error, read_form
from constituent.web.pages.paging import PAGE_SIZE, PageNumber, offset, page_count
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)
CONTACT = "/contacts/{contact_id:int}"
TABS = (
    ("summary", "Summary", ""),
    ("contributions", "Contributions", "/contributions"),
    ("activities", "Activities", "/activities"),
    ("groups", "Groups", "/groups"),
    ("changes", "Change Log", "/changes"),
)


def contact_url(contact_id: DbInt, tab: str = "summary") -> str:
    suffix = next(path for key, _, path in TABS if key == tab)
    return f"/contacts/{contact_id}{suffix}"


def render_tab(
    request: Request,
    user: PageUser,
    contact: Contact,
    tab: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    session = object_session(contact)
    assert session is not None  # the contact was just read in this request's session
    counts = profile.tab_counts(session, contact.id)
    full = {"nav": "contacts", "contact": contact, "tab": tab, "tabs": TABS, "counts": counts, **context}
    return render(request, f"crm/contact/{tab}.html", full, status_code=status_code, user=user)


def _form_page(
    request: Request,
    user: PageUser,
    form: FormState,
    status_code: int = 200,
    duplicate: DuplicateEmail | None = None,
) -> HTMLResponse:
    context = {"nav": "contacts", "form": form, "duplicate": duplicate, **_form_specs()}
    return render(request, "crm/contact_new.html", context, status_code=status_code, user=user)


def _form_specs() -> dict[str, Any]:
    return {
        "identity": contact_form.IDENTITY,
        "email_field": contact_form.EMAIL,
        "address": contact_form.ADDRESS,
        "flags": contact_form.FLAGS,
        "kinds": contact_form.KINDS,
        "email_statuses": [status.value for status in EmailStatus],
    }


@router.get("/contacts/new", response_class=HTMLResponse)
def new_contact_form(request: Request, user: UserDep) -> HTMLResponse:
    return _form_page(request, user, contact_form.empty_form())


@router.post("/contacts", response_model=None)
async def create_contact(request: Request, user: UserDep, session: SessionDep) -> Response:
    form = await read_form(request, contact_form.ALL_NAMES)
    try:
        data = contact_form.new_contact(form)
        contact = service.create_contact(session, data, user.actor, refuse_duplicates=True)
    except DuplicateEmail as exc:
        return _form_page(request, user, form, 409, duplicate=exc)
    except FormInvalid as exc:
        form.errors = exc.errors
        return _form_page(request, user, form, 400)
    except InvalidInput as exc:
        form.errors = input_error(exc, contact_form.ALL_NAMES)
        return _form_page(request, user, form, 400)
    flash(request, "success", f"{contact.display_name} was added.")
    return RedirectResponse(contact_url(contact.id), status_code=303)


def render_summary(
    request: Request,
    user: PageUser,
    session: Session,
    contact_id: DbInt,
    form: FormState | None = None,
    held: DuplicateEmail | None = None,
) -> HTMLResponse:
    """The Summary tab; ``held``: an email just refused because another contact holds it (409)."""
    contact = service.get_contact(session, contact_id)
    edit = form or contact_form.form_of(contact)
    # The contact's standing in each Mailchimp audience (templates/contacts/_mailchimp_panel.html).
    context = {
        "form": edit,
        **_form_specs(),
        "mailchimp_panels": mailchimp_panels(session, contact_id),
        "giving": profile.giving(session, contact_id),
        "editing": request.query_params.get("edit") == "1",  # the Edit button at the top opens the form
        "held": held,
    }
    status_code = 409 if held else 400 if edit.errors else 200
    return render_tab(request, user, contact, "summary", context, status_code)


@router.get(CONTACT, response_class=HTMLResponse)
def summary(contact_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    return render_summary(request, user, session, contact_id)


@router.post(CONTACT, response_model=None)
async def update_contact(contact_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> Response:
    form = await read_form(request, contact_form.ALL_NAMES)
    try:
        service.update_contact(session, contact_id, contact_form.contact_changes(form), user.actor)
    except FormInvalid as exc:
        form.errors = exc.errors
    except InvalidInput as exc:
        form.errors = input_error(exc, contact_form.ALL_NAMES)
    if form.errors:
        session.rollback()
        return render_summary(request, user, session, contact_id, form)
    flash(request, "success", "The contact was saved.")
    return RedirectResponse(contact_url(contact_id), status_code=303)


@router.get(CONTACT + "/activities", response_class=HTMLResponse)
def activities(
    contact_id: DbInt,
    request: Request,
    user: UserDep,
    session: SessionDep,
    page: PageNumber = 1,
) -> HTMLResponse:
    form = FormState(values={"type": "note", "on": today().isoformat()})
    return _activities_tab(request, user, session, contact_id, form, page)


def _activities_tab(
    request: Request, user: PageUser, session: Session, contact_id: int, form: FormState, page: int = 1
) -> HTMLResponse:
    contact = service.get_contact(session, contact_id)
    rows, total = list_activities(session, contact_id, limit=PAGE_SIZE, offset=offset(page))
    context = {
        "activities": rows,
        "page": page,
        "pages": page_count(total),
        "total": total,
        "form": form,
        "logged_types": [(kind, activity_label(kind)) for kind in LOGGED_TYPES],
    }
    return render_tab(request, user, contact, "activities", context, 400 if form.errors else 200)


@router.post(CONTACT + "/activities", response_model=None)
async def log_activity(contact_id: int, request: Request, user: UserDep, session: SessionDep) -> Response:
    """A note, call, meeting or email logged by hand: on the day given (noon in the organization's zone,
    so it stays on that day wherever it is read), by this user."""
    form = await read_form(request, ("type", "on", "subject"))
    kind, subject = form.value("type"), form.value("subject")
    if kind not in LOGGED_TYPES:
        form.errors["type"] = "Choose note, call, meeting or email."
    if not subject:
        form.errors["subject"] = "Say in a few words what happened."
    try:
        day = date.fromisoformat(form.value("on"))
    except ValueError:
        form.errors["on"] = "Give the day, like 2026-03-31."
    if form.errors:
        return _activities_tab(request, user, session, contact_id, form)
    at = datetime.combine(day, time(12), tzinfo=page_zone(request))
    try:
        log_by_hand(session, contact_id, kind, subject, at, user.email)
    except InvalidInput as exc:
        form.errors = input_error(exc, ("type", "subject"))
        return _activities_tab(request, user, session, contact_id, form)
    flash(request, "success", f"{activity_label(kind)} logged.")
    return RedirectResponse(contact_url(contact_id, "activities"), status_code=303)


@router.get(CONTACT + "/changes", response_class=HTMLResponse)
def change_log(contact_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    contact = service.get_contact(session, contact_id)
    entries = changes_for_contact(session, contact_id)
    stints = contact_groups(session, contact_id)
    names = change_words.Names(
        users={person.id: person.email for person in list_users(session)},
        addresses={email.id: email.address for email in contact.emails},
        groups={m.membership_id: m.group_name for m in (*stints.current, *stints.past)},
    )
    return render_tab(request, user, contact, "changes", {"changes": change_words.in_words(entries, names)})
