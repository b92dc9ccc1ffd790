"""/api/v1/integrations/mailchimp/{id}/doctor: check an integration end to end; the fix (admins) applies
the safe repairs and checks again. Both answer the typed report; errors map in web/api/errors.py."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from constituent.integrations.mailchimp.doctor.schemas import DoctorReport
from constituent.integrations.mailchimp.doctor.service import examine
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.numbers import DbInt
from constituent.kit.settings import Settings
from constituent.web.deps import AdminDep, SessionDep

router = APIRouter(prefix="/integrations/mailchimp", tags=["mailchimp"])


def _report(request: Request, session: SessionDep, integration_id: int, *, fix: bool) -> DoctorReport:
    settings: Settings = request.app.state.settings
    box = SecretBox.from_settings(settings)
    return asyncio.run(examine(session, box, settings, integration_id, utcnow(), fix=fix))


@router.get("/{integration_id}/doctor", response_model=DoctorReport)
def check(integration_id: DbInt, request: Request, session: SessionDep) -> DoctorReport:
    """Every check with what it found; a failed one carries its fix in one line and whether the fix
    endpoint can apply it. ``passed`` is true only when every check passes. Changes nothing (Mailchimp's
    validator is asked to call the webhook URL again)."""
    return _report(request, session, integration_id, fix=False)


@router.post("/{integration_id}/doctor/fix", response_model=DoctorReport)
def fix(integration_id: DbInt, request: Request, session: SessionDep, _admin: AdminDep) -> DoctorReport:
    """Apply the safe fixes (recreate missing merge fields, interest category and interests, re-register
    the webhook, record a renamed audience), then check again; ``fixes`` says what was tried and whether
    it was done."""
    return _report(request, session, integration_id, fix=True)
