"""The Mailchimp page's settings: an administrator changes the integration's name, nightly sync time,
double opt-in, whether profile edits made in Mailchimp are applied, and the removal guard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from constituent.crm.errors import InvalidInput
from constituent.integrations.mailchimp.schemas import SettingsChange
from constituent.integrations.mailchimp.settings import update_settings
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, AdminDep
from constituent.web.pages.rendering import flash

router = APIRouter(dependencies=PROTECTED)
SETTINGS_PATH = "/integrations/mailchimp/{integration_id:int}/settings"
# The settings card's labels: a message names the field as the person sees it, never its form name.
LABELS = {
    "name": "Name",
    "nightly_time": "Nightly sync time",
    "double_optin": "Double opt-in",
    "accept_profile_changes": "Apply profile changes made in Mailchimp",
    "interests_follow_members": "Groups follow the interests people change in Mailchimp",
    "removal_guard_percent": "Removal guard (percent)",
}


def _percent(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput("removal_guard_percent", f"{value!r} is not a whole number") from None


@router.post(SETTINGS_PATH)
def change_settings(
    integration_id: DbInt,
    request: Request,
    _user: AdminDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=300)] = "",
    nightly_time: Annotated[str, Form(max_length=20)] = "",
    double_optin: Annotated[str, Form(max_length=10)] = "",
    accept_profile_changes: Annotated[str, Form(max_length=10)] = "",
    interests_follow_members: Annotated[str, Form(max_length=10)] = "",
    removal_guard_percent: Annotated[str, Form(max_length=10)] = "",
) -> RedirectResponse:
    back = RedirectResponse(f"/integrations/mailchimp/{integration_id}/settings", status_code=303)
    try:
        change = SettingsChange(
            name=name,
            nightly_time=nightly_time,
            # An unticked checkbox is not sent at all, so absent means off.
            double_optin=double_optin == "on",
            accept_profile_changes=accept_profile_changes == "on",
            interests_follow_members=interests_follow_members == "on",
            removal_guard_percent=_percent(removal_guard_percent),
        )
        update_settings(session, integration_id, change)
    except InvalidInput as exc:
        flash(request, "error", f"Settings not saved. {LABELS.get(exc.field, 'A setting')}: {exc.message}")
        return back
    flash(request, "success", "Settings saved.")
    return back
