"""/api/v1/integrations/mailchimp/{id}/health: the latest audience health check (404 until one ran), and
POST to run one now (it reads the whole audience; nothing is written to Mailchimp). Errors map in
web/api/errors.py."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from constituent.integrations.mailchimp.health import repository
from constituent.integrations.mailchimp.health.schemas import HealthReport
from constituent.integrations.mailchimp.health.service import check, latest_check
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.numbers import DbInt
from constituent.kit.settings import Settings
from constituent.web.deps import SessionDep

router = APIRouter(prefix="/integrations/mailchimp", tags=["mailchimp"])


@router.get("/{integration_id}/health", response_model=HealthReport)
def latest(integration_id: DbInt, session: SessionDep) -> HealthReport:
    """Members by status, and the lines with people behind them (counts exact), as last checked."""
    return repository.report_of(latest_check(session, integration_id))


@router.post("/{integration_id}/health", response_model=HealthReport)
def check_now(integration_id: DbInt, request: Request, session: SessionDep) -> HealthReport:
    """Check now: read the whole audience and compare it with the database as a Resync would."""
    settings: Settings = request.app.state.settings
    return asyncio.run(check(session, SecretBox.from_settings(settings), integration_id, utcnow()))
