"""The dashboard: how much is in the database, what happened lately, and each Mailchimp integration."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from constituent.crm.activities.recent import recent_activities
from constituent.crm.contacts.service import list_contacts
from constituent.crm.contributions.service import list_contributions
from constituent.crm.groups.service import list_groups
from constituent.crm.searches.service import list_searches
from constituent.integrations.mailchimp import repository as integrations
from constituent.kit.clock import today
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, SettingsDep, UserDep
from constituent.web.pages.integration_view import view_of
from constituent.web.pages.rendering import render

router = APIRouter(dependencies=PROTECTED)
RECENT = 10


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, user: UserDep, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    _, contacts = list_contacts(session, limit=1)
    _, contributions = list_contributions(session, limit=1)
    counts = {
        "Contacts": contacts,
        "Contributions": contributions,
        "Groups": len(list_groups(session)),
        "Saved searches": len(list_searches(session, today=today())),
    }
    views = [view_of(session, i, settings) for i in integrations.list_all(session)]
    context = {
        "nav": "dashboard",
        "counts": counts,
        "integrations": views,
        "recent": recent_activities(session, limit=RECENT),
    }
    return render(request, "dashboard.html", context, user=user)
