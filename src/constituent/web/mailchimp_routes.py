"""Mailchimp's calls into us (webhook URL) and the person's return from Mailchimp's OAuth login.

Neither carries our Bearer token: the webhook URL is authenticated by its secret, the OAuth return by
its single-use ``state``.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request, Response

from constituent.crm.errors import DomainError
from constituent.integrations.mailchimp import oauth, service
from constituent.integrations.mailchimp.errors import MailchimpError
from constituent.integrations.mailchimp.inbound import access_log
from constituent.integrations.mailchimp.inbound.intake import Intake, inbox_row
from constituent.integrations.mailchimp.inbound.parsing import ParseError, parse_event
from constituent.integrations.mailchimp.sync.models import RunTrigger
from constituent.jobs.dispatch import request_webhook_processing
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.numbers import DbInt
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.web import first_sync
from constituent.web.pages import oauth_return

router = APIRouter(include_in_schema=False)
WEBHOOK_PATH = "/webhooks/mailchimp/{integration_id}/{secret}"
log = logging.getLogger(__name__)
# The webhook URL holds its secret: the server's access log shows it as ***.
access_log.install()


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get(WEBHOOK_PATH)
def validate_webhook_url(integration_id: DbInt, secret: str, request: Request) -> Response:
    """Mailchimp checks the URL with a GET before it creates the webhook: 200 only for the right secret."""
    box = SecretBox.from_settings(_settings(request))
    with session_scope(_database(request).sessions) as session:
        known = service.webhook_secret_matches(session, box, integration_id, secret)
    return Response(status_code=200 if known else 404)


async def receive_webhook(request: Request) -> Response:
    """A delivery: stored in the inbox and answered at once; a job processes it (issue 6).

    A plain Starlette route (no FastAPI dependency solving): it runs a thousand times a second.
    """
    integration_id, secret = request.path_params["integration_id"], request.path_params["secret"]
    intake = _intake(request)
    known_id = int(integration_id) if integration_id.isdecimal() and len(integration_id) < 10 else 0
    if not await intake.secret_matches(known_id, secret):
        return Response(status_code=404)
    body = await request.body()
    try:
        event = parse_event(body)
    except ParseError as exc:
        # The reason names the field, never its value: bodies hold addresses.
        log.warning("mailchimp webhook refused: integration=%s reason=%s", known_id, exc)
        return Response(str(exc), status_code=400, media_type="text/plain")
    stored = await intake.store(inbox_row(known_id, body, event))
    return Response(status_code=200 if stored else 404)


router.add_route(WEBHOOK_PATH, receive_webhook, methods=["POST"], include_in_schema=False)


def _intake(request: Request) -> Intake:
    intake: Intake | None = getattr(request.app.state, "webhook_intake", None)
    if intake is None:
        intake = Intake(_database(request), _settings(request), on_stored=request_webhook_processing)
        request.app.state.webhook_intake = intake
    return intake


@router.get(oauth.CALLBACK_PATH)
def oauth_callback(request: Request, state: str = "", code: str = "", error: str | None = None) -> Response:
    """Where Mailchimp's login sends the person back: consume the state, then connect."""
    settings = _settings(request)
    sessions = _database(request).sessions
    pending = None
    try:
        # Consumed in its own transaction so a state can never be replayed, whatever happens next.
        with session_scope(sessions) as session:
            pending = oauth.take_pending(session, state, utcnow())
        oauth_return.refuse_other_user(request, pending.user_id)
        oauth.refuse_if_denied(error)
        box = SecretBox.from_settings(settings)
        with session_scope(sessions) as session:
            integration = asyncio.run(oauth.finish(session, settings, box, pending, code))
    except (DomainError, MailchimpError) as exc:
        return oauth_return.back_to_the_form(request, pending, exc)
    # The Add form's "Start the first sync now" came back with the pending form.
    started = first_sync.start_if_asked(
        _database(request), settings, integration.id, pending.request, RunTrigger.ui
    )
    audience = f"{integration.audience_name} ({integration.audience_id})"
    return oauth_return.landing(request, integration, started) or oauth_return.connected_page(
        request, f"Integration {integration.id} is connected to the audience {audience}.", integration.id
    )
