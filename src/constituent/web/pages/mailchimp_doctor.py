"""The Mailchimp page's "Check the connection": every check of the doctor with what it found and its
fix; an administrator can apply the safe fixes, after which the checks run again."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.doctor.service import examine
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, AdminDep, SettingsDep, UserDep
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)
DOCTOR_PATH = "/integrations/mailchimp/{integration_id:int}/doctor"


@router.get(DOCTOR_PATH, response_class=HTMLResponse)
def check_connection(
    integration_id: DbInt, request: Request, user: UserDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    integration = service.get_integration(session, integration_id)
    box = SecretBox.from_settings(settings)
    report = asyncio.run(examine(session, box, settings, integration_id, utcnow()))
    context = {"nav": "integrations", "integration": integration, "report": report}
    return render(request, "integrations/mailchimp_doctor.html", context, user=user)


@router.post(DOCTOR_PATH + "/fix")
def fix_connection(
    integration_id: DbInt, request: Request, _user: AdminDep, session: SessionDep, settings: SettingsDep
) -> RedirectResponse:
    box = SecretBox.from_settings(settings)
    report = asyncio.run(examine(session, box, settings, integration_id, utcnow(), fix=True))
    for outcome in report.fixes:
        flash(request, "success" if outcome.done else "error", outcome.said)
    if not report.fixes:
        flash(request, "info", "Nothing needed the automatic fix.")
    return RedirectResponse(f"/integrations/mailchimp/{integration_id}/doctor", status_code=303)
