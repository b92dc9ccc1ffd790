"""The webhook inbox (administrators), and "Ask Mailchimp to re-confirm" for one contact."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request

from constituent.integrations.mailchimp.inbound import repository
from constituent.integrations.mailchimp.inbound.models import InboxStatus
from constituent.integrations.mailchimp.inbound.reconfirm import ReconfirmResult, reconfirm_contact
from constituent.integrations.mailchimp.inbound.schemas import WebhookEventOut
from constituent.kit.crypto import SecretBox
from constituent.kit.numbers import DbInt
from constituent.kit.settings import Settings
from constituent.web.api.pagination import Page, PageDep
from constituent.web.deps import AdminDep, SessionDep

router = APIRouter(tags=["mailchimp"])


@router.get("/webhook-events", response_model=Page[WebhookEventOut])
def list_webhook_events(
    _admin: AdminDep,
    session: SessionDep,
    paging: PageDep,
    status: Annotated[InboxStatus | None, Query(description="Only events in this state.")] = None,
    integration_id: Annotated[DbInt | None, Query(description="Only this integration's events.")] = None,
) -> Page[WebhookEventOut]:
    """Mailchimp's deliveries, newest first, with their processing state (bodies are not shown)."""
    rows, total = repository.page(
        session, status=status, integration_id=integration_id, limit=paging.limit, offset=paging.offset
    )
    return paging.page([WebhookEventOut.model_validate(row) for row in rows], total)


@router.post(
    "/contacts/{contact_id}/mailchimp/{integration_id}/reconfirm",
    response_model=ReconfirmResult,
    responses={409: {"description": "The contact is not held in a compliance state in that audience."}},
)
def reconfirm(
    contact_id: DbInt, integration_id: DbInt, request: Request, session: SessionDep
) -> ReconfirmResult:
    """Set the contact's unsubscribed member to pending: Mailchimp emails them a confirmation link."""
    settings: Settings = request.app.state.settings
    box = SecretBox.from_settings(settings)
    return asyncio.run(reconfirm_contact(session, box, integration_id, contact_id))
