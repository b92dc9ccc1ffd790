"""Integrations > Add/Remove Integrations: what can be installed, and what is installed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from constituent.integrations.mailchimp import repository as integrations
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, SettingsDep, UserDep
from constituent.web.pages.integration_view import view_of
from constituent.web.pages.rendering import render

router = APIRouter(dependencies=PROTECTED)

AVAILABLE = [
    {
        "name": "Mailchimp",
        "description": "Keep a Mailchimp audience in step with your contacts: members, tags from saved "
        "searches, groups as interests, and unsubscribes coming back.",
        "add_url": "/integrations/mailchimp/new",
    }
]


@router.get("/integrations", response_class=HTMLResponse)
def integrations_page(
    request: Request, user: UserDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    installed = [view_of(session, i, settings) for i in integrations.list_all(session)]
    context = {"nav": "integrations", "available": AVAILABLE, "installed": installed}
    return render(request, "integrations/index.html", context, user=user)
