"""Settings: the organization's name, postal address and sender (the Mailchimp form starts from them)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from constituent.crm.organization.schemas import OrganizationSettingsUpdate
from constituent.crm.organization.service import get_settings, update_settings
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, AdminDep, PageUser, UserDep
from constituent.web.pages.forms import validation_errors
from constituent.web.pages.local_time import zone_choices
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)
# (field, label, autocomplete): the order people read an address in.
FIELDS = (
    ("organization_name", "Organization name", "organization"),
    ("street", "Street", "address-line1"),
    ("city", "City", "address-level2"),
    ("state", "State", "address-level1"),
    ("postal_code", "Postal code", "postal-code"),
    ("country", "Country (two letters)", "country"),
    ("phone", "Phone", "tel"),
    ("from_name", "From name", "off"),
    ("from_email", "From email", "email"),
    ("timezone", "Time zone", "off"),
)
LABELS = {name: label for name, label, _ in FIELDS}
# Rules a person cannot guess from the label, said instead of the validator's words.
HINTS = {
    "country": "use the two-letter country code, like US or FR.",
    "timezone": "Choose a time zone from the list.",
}


def _page(
    request: Request, user: PageUser, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    context = {
        "nav": "settings",
        "fields": FIELDS,
        "labels": LABELS,
        "zones": zone_choices(),
        "values": values,
        "errors": errors,
    }
    return render(request, "settings.html", context, status_code=status_code, user=user)


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    org = get_settings(session)
    return _page(request, user, {name: str(getattr(org, name)) for name, _, _ in FIELDS}, {})


@router.post("/settings", response_model=None)
async def change_settings(request: Request, user: AdminDep, session: SessionDep) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name, _, _ in FIELDS}
    try:
        changes = OrganizationSettingsUpdate.model_validate(values)
    except ValidationError as exc:
        errors = validation_errors(exc, HINTS)
        return _page(request, user, values, errors, status_code=400)
    update_settings(session, changes)
    flash(request, "success", "The organization settings were saved.")
    return RedirectResponse("/settings", status_code=303)
