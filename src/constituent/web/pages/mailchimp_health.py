"""The audience health page: the latest check's figures with what the next sync does about each, the people
behind each line (paged), and Check now (reads the whole audience; writes nothing to Mailchimp)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.health import repository
from constituent.integrations.mailchimp.health.schemas import WORDS, HealthKind
from constituent.integrations.mailchimp.health.service import check
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, SettingsDep, UserDep
from constituent.web.pages.paging import PAGE_SIZE, PageNumber, offset, page_count
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)
HEALTH = "/integrations/mailchimp/{integration_id:int}/health"


@router.get(HEALTH, response_class=HTMLResponse)
def health(integration_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    integration = service.get_integration(session, integration_id)
    latest = repository.latest(session, integration.id)
    context = {
        "nav": "integrations",
        "integration": integration,
        "report": repository.report_of(latest) if latest else None,
    }
    return render(request, "integrations/mailchimp_health.html", context, user=user)


@router.post(HEALTH)
def check_now(
    integration_id: DbInt, request: Request, _user: UserDep, session: SessionDep, settings: SettingsDep
) -> RedirectResponse:
    asyncio.run(check(session, SecretBox.from_settings(settings), integration_id, utcnow()))
    flash(request, "success", "Checked: the figures below are Mailchimp's audience as it is now.")
    return RedirectResponse(f"/integrations/mailchimp/{integration_id}/health", status_code=303)


@router.get(HEALTH + "/{kind}", response_class=HTMLResponse)
def people(
    integration_id: DbInt,
    kind: HealthKind,
    request: Request,
    user: UserDep,
    session: SessionDep,
    page: PageNumber = 1,
) -> HTMLResponse:
    integration = service.get_integration(session, integration_id)
    latest = repository.latest(session, integration.id)
    found, total = repository.people(session, latest.id, kind, offset(page), PAGE_SIZE) if latest else ([], 0)
    context = {
        "nav": "integrations",
        "integration": integration,
        "kind": kind,
        "line": WORDS[kind],
        "people": found,
        "total": total,
        "count": repository.report_of(latest).counts.get(kind, 0) if latest else 0,
        "page": page,
        "pages": page_count(total),
    }
    return render(request, "integrations/mailchimp_health_people.html", context, user=user)
