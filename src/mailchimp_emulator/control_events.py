"""The events side of the emulator: webhook delivery and batch running plugged into the app, and their
control API under /_emulator (delivery log and outage switch, OAuth apps, campaign demo and activity,
batch results archives).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response

from mailchimp_emulator.batch_runner import BatchRunner
from mailchimp_emulator.clock import now
from mailchimp_emulator.config import EmulatorConfig
from mailchimp_emulator.control import PREFIX
from mailchimp_emulator.delivery import WebhookDispatcher
from mailchimp_emulator.errors import InvalidResource, ResourceNotFound
from mailchimp_emulator.hashing import new_hex_id
from mailchimp_emulator.routes import campaigns
from mailchimp_emulator.routes.common import json_response, no_content, read_object, store_of
from mailchimp_emulator.state import Account, Campaign, EmailActivity, OAuthApp, Store

ACTIONS = ("open", "click")


@asynccontextmanager
async def _stop_background_work(app: FastAPI) -> AsyncIterator[None]:
    """Merged into the app's lifespan by ``include_router``: pending retries and batches end with the app."""
    yield
    await app.state.batch_runner.aclose()
    await app.state.dispatcher.aclose()


router = APIRouter(lifespan=_stop_background_work)


def install(app: FastAPI) -> None:
    """Deliver the store's events to webhooks, run batches, and serve this module's control routes."""
    config: EmulatorConfig = app.state.config
    store: Store = app.state.store
    dispatcher = WebhookDispatcher(store, config.webhook_retry_delays, config.webhook_timeout_seconds)
    store.event_sink = dispatcher
    app.state.dispatcher = dispatcher
    app.state.batch_runner = BatchRunner(app)
    app.include_router(router, prefix=PREFIX)


def _dispatcher(request: Request) -> WebhookDispatcher:
    dispatcher: WebhookDispatcher = request.app.state.dispatcher
    return dispatcher


@router.get("/webhooks/deliveries")
async def deliveries(request: Request) -> Response:
    webhook_id = request.query_params.get("webhook_id")
    found = _dispatcher(request).deliveries(webhook_id)
    return json_response({"deliveries": [d.as_json() for d in found], "total_items": len(found)})


@router.put("/webhooks/delivery")
async def set_delivery(request: Request) -> Response:
    """``{"paused": true}`` loses every event until unpaused; with ``"list_id"`` only that list's."""
    body = await read_object(request)
    paused, list_id = body.get("paused"), body.get("list_id")
    if not isinstance(paused, bool):
        raise InvalidResource(
            "paused must be true or false", [{"field": "paused", "message": "boolean required"}]
        )
    if list_id is not None and list_id not in store_of(request).lists:
        raise ResourceNotFound(f"No list has the id {list_id!r}.")
    dispatcher = _dispatcher(request)
    dispatcher.set_pause(paused, list_id)
    return json_response({"paused": dispatcher.paused, "paused_lists": sorted(dispatcher.dropped_lists)})


@router.post("/oauth-apps")
async def register_oauth_app(request: Request) -> Response:
    body = await read_object(request)
    uris = body.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) and "://" in u for u in uris):
        message = "redirect_uris must be a non-empty list of absolute URLs"
        raise InvalidResource(message, [{"field": "redirect_uris", "message": message}])
    store = store_of(request)
    app = OAuthApp(new_hex_id(store.rng, 12), secrets.token_hex(24), list(uris), str(body.get("name", "")))
    store.oauth_apps[app.client_id] = app
    return json_response(
        {"client_id": app.client_id, "client_secret": app.client_secret, "redirect_uris": app.redirect_uris}
    )


@router.post("/lists/{list_id}/send-campaign")
async def send_demo_campaign(list_id: str, request: Request) -> Response:
    """Create and send a regular campaign in one call, as someone in Mailchimp's UI would (source admin)."""
    store = store_of(request)
    audience = store.lists.get(list_id)
    if audience is None:
        raise ResourceNotFound(f"No list has the id {list_id!r}.")
    body = await read_object(request)
    account = store.accounts[audience.account_id]
    segment_id = body.get("segment_id")
    if segment_id is not None and audience.segments.get(segment_id) is None:
        raise InvalidResource(f"List {list_id} has no tag with the id {segment_id!r}.")
    subject = str(body.get("subject") or "A campaign from the emulator")
    defaults = audience.campaign_defaults
    campaign = Campaign(
        id=new_hex_id(store.rng),
        web_id=store.take_web_id(),
        account_id=account.id,
        type="regular",
        status="save",
        create_time=now(),
        list_id=audience.id,
        segment_id=segment_id,
        settings={
            "subject_line": subject,
            "title": subject,
            "from_name": str(defaults.get("from_name") or "Emulator"),
            "reply_to": str(defaults.get("from_email") or "demo@fastmail.com"),
        },
    )
    account.campaigns[campaign.id] = campaign
    campaigns.send(store, account, campaign, source="admin")
    return json_response(campaigns.render_campaign(account, campaign))


@router.post("/campaigns/{campaign_id}/activity")
async def add_activity(campaign_id: str, request: Request) -> Response:
    """A recipient opens the email or clicks a link in it: ``{"email", "action": "open"|"click", "url"?}``."""
    account, campaign = _campaign_anywhere(store_of(request), campaign_id)
    body = await read_object(request)
    action = body.get("action")
    if action not in ACTIONS:
        raise InvalidResource(
            "action must be open or click", [{"field": "action", "message": "open or click"}]
        )
    audience = account.lists.get(campaign.list_id)
    member = audience.find_member(str(body.get("email", ""))) if audience else None
    if member is None or member.id not in campaign.sent_to:
        raise InvalidResource(f"{body.get('email')!r} was not sent campaign {campaign_id}.")
    url = str(body.get("url") or "") if action == "click" else ""
    campaign.activity.append(EmailActivity(member.id, action, now(), url, str(body.get("ip", ""))))
    return no_content()


@router.get("/batch-results/{batch_id}.tar.gz")
async def batch_results(batch_id: str, request: Request) -> Response:
    for account in store_of(request).accounts.values():
        batch = account.batches.get(batch_id)
        if batch is not None and batch.archive is not None:
            return Response(batch.archive, media_type="application/gzip")
    raise ResourceNotFound()


def _campaign_anywhere(store: Store, campaign_id: str) -> tuple[Account, Campaign]:
    for account in store.accounts.values():
        if campaign_id in account.campaigns:
            return account, account.campaigns[campaign_id]
    raise ResourceNotFound(f"No campaign has the id {campaign_id!r}.")
