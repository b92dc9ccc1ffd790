"""/3.0/lists/{list_id}/webhooks: where Mailchimp posts a list's events.

A new webhook is only accepted after Mailchimp's validator GET reaches the URL and gets a 2xx answer.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.auth import current_account
from mailchimp_emulator.clock import now
from mailchimp_emulator.config import EmulatorConfig
from mailchimp_emulator.delivery import validate_url
from mailchimp_emulator.errors import InvalidResource, ResourceNotFound
from mailchimp_emulator.hashing import new_hex_id
from mailchimp_emulator.render import link
from mailchimp_emulator.routes.common import json_response, no_content, owned_list, read_object, store_of
from mailchimp_emulator.state import Account, AudienceList, Webhook

router = APIRouter()

EVENT_TYPES = ("subscribe", "unsubscribe", "profile", "cleaned", "upemail", "campaign")
SOURCES = ("user", "admin", "api")
INVALID_DETAIL = (
    "The resource submitted could not be validated. For field-specific details, see the 'errors' array."
)


@router.get("/lists/{list_id}/webhooks")
async def list_webhooks(list_id: str, account: Account = Depends(current_account)) -> Response:
    audience = owned_list(account, list_id)
    webhooks = [render_webhook(webhook) for webhook in audience.webhooks.values()]
    href = f"/3.0/lists/{list_id}/webhooks"
    return json_response(
        {
            "webhooks": webhooks,
            "list_id": list_id,
            "total_items": len(webhooks),
            "_links": [link("self", href), link("create", href, "POST")],
        }
    )


@router.post("/lists/{list_id}/webhooks")
async def create_webhook(
    list_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    body = await read_object(request)
    url = await _validated_url(request, body.get("url"))
    webhook = Webhook(
        id=new_hex_id(store_of(request).rng),
        list_id=audience.id,
        url=url,
        events=_flags(body, "events", EVENT_TYPES, {name: True for name in EVENT_TYPES}),
        sources=_flags(body, "sources", SOURCES, {name: True for name in SOURCES}),
        enabled=True,
        created_at=now(),
    )
    audience.webhooks[webhook.id] = webhook
    return json_response(render_webhook(webhook))


@router.get("/lists/{list_id}/webhooks/{webhook_id}")
async def get_webhook(list_id: str, webhook_id: str, account: Account = Depends(current_account)) -> Response:
    return json_response(render_webhook(_owned_webhook(owned_list(account, list_id), webhook_id)))


@router.patch("/lists/{list_id}/webhooks/{webhook_id}")
async def update_webhook(
    list_id: str, webhook_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    webhook = _owned_webhook(owned_list(account, list_id), webhook_id)
    body = await read_object(request)
    # Everything is checked before anything changes, so a refused update leaves the webhook as it was.
    url = await _validated_url(request, body["url"]) if "url" in body else webhook.url
    events = _flags(body, "events", EVENT_TYPES, webhook.events)
    sources = _flags(body, "sources", SOURCES, webhook.sources)
    webhook.url, webhook.events, webhook.sources = url, events, sources
    return json_response(render_webhook(webhook))


@router.delete("/lists/{list_id}/webhooks/{webhook_id}")
async def delete_webhook(
    list_id: str, webhook_id: str, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    _owned_webhook(audience, webhook_id)
    del audience.webhooks[webhook_id]
    return no_content()


def render_webhook(webhook: Webhook) -> dict[str, Any]:
    href = f"/3.0/lists/{webhook.list_id}/webhooks/{webhook.id}"
    return {
        "id": webhook.id,
        "url": webhook.url,
        "events": dict(webhook.events),
        "sources": dict(webhook.sources),
        "list_id": webhook.list_id,
        "_links": [link("self", href), link("update", href, "PATCH"), link("delete", href, "DELETE")],
    }


def _owned_webhook(audience: AudienceList, webhook_id: str) -> Webhook:
    webhook = audience.webhooks.get(webhook_id)
    if webhook is None:
        raise ResourceNotFound()
    return webhook


async def _validated_url(request: Request, url: Any) -> str:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise InvalidResource(INVALID_DETAIL, [{"field": "url", "message": "Please enter a valid URL."}])
    config: EmulatorConfig = request.app.state.config
    if not await validate_url(url, config.webhook_timeout_seconds):
        message = f"The URL {url} did not return a 2xx response to the webhook validator's GET request."
        raise InvalidResource(INVALID_DETAIL, [{"field": "url", "message": message}])
    return url


def _flags(
    body: dict[str, Any], name: str, allowed: tuple[str, ...], current: dict[str, bool]
) -> dict[str, bool]:
    """Merge the given booleans over ``current``; an unknown key or a non-boolean is refused by name."""
    given = body.get(name)
    if given is None:
        return dict(current)
    if not isinstance(given, dict):
        raise InvalidResource(INVALID_DETAIL, [{"field": name, "message": "Schema describes object"}])
    for key, value in given.items():
        if key not in allowed or not isinstance(value, bool):
            message = f"{key} must be one of {', '.join(allowed)} with a boolean value"
            raise InvalidResource(INVALID_DETAIL, [{"field": f"{name}.{key}", "message": message}])
    return {key: given.get(key, current.get(key, False)) for key in allowed}
