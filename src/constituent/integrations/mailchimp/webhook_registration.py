"""Registering our webhook on the audience, so unsubscribes, bounces and changes come back to us."""

from __future__ import annotations

from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.responses import Webhook

EVENTS = {
    "subscribe": True,
    "unsubscribe": True,
    "profile": True,
    "upemail": True,
    "cleaned": True,
    "campaign": True,
}
# Never "api": changes we make through the API would only echo back to us.
SOURCES = {"user": True, "admin": True, "api": False}


def webhook_path(integration_id: int, secret: str) -> str:
    """The part of our webhook URL after the base: the same wherever the server is reached."""
    return f"/webhooks/mailchimp/{integration_id}/{secret}"


def webhook_url(base_url: str, integration_id: int, secret: str) -> str:
    return base_url.rstrip("/") + webhook_path(integration_id, secret)


SECRET_SHOWN_AS = "…"  # noqa: S105 (what replaces the secret, not one)


def without_secret(text: str, secret: str) -> str:
    """``text`` safe to store, show or log: Mailchimp quotes our URL, which holds the secret."""
    return text.replace(secret, SECRET_SHOWN_AS) if secret else text


def has_our_flags(webhook: Webhook) -> bool:
    """Whether the webhook listens to the events and sources we register (no more, no fewer)."""
    events = {name: webhook.events.get(name, False) for name in EVENTS}
    sources = {name: webhook.sources.get(name, False) for name in SOURCES}
    return events == EVENTS and sources == SOURCES


async def list_webhooks(client: MailchimpClient, audience_id: str) -> list[Webhook]:
    existing = await client.request("GET", f"/lists/{audience_id}/webhooks")
    return [Webhook.model_validate(item) for item in existing.get("webhooks", [])]


async def register_webhook(client: MailchimpClient, audience_id: str, url: str) -> Webhook:
    """Create the webhook, or adopt ours if an earlier attempt already created it."""
    for webhook in await list_webhooks(client, audience_id):
        if webhook.url == url:
            return webhook
    body = {"url": url, "events": EVENTS, "sources": SOURCES}
    return await client.send_model("POST", f"/lists/{audience_id}/webhooks", Webhook, body, idempotent=False)


async def revalidate_webhook(client: MailchimpClient, audience_id: str, webhook_id: str, url: str) -> None:
    """Have Mailchimp's validator call the URL again (it does on every URL it is given, as on creation):
    the same URL is sent back, so nothing changes; an unreachable server answers InvalidResource."""
    await client.request("PATCH", f"/lists/{audience_id}/webhooks/{webhook_id}", json={"url": url})


async def restore_flags(client: MailchimpClient, audience_id: str, webhook_id: str) -> None:
    """Put our events and sources back on a webhook someone changed in Mailchimp."""
    body = {"events": EVENTS, "sources": SOURCES}
    await client.request("PATCH", f"/lists/{audience_id}/webhooks/{webhook_id}", json=body)


async def delete_webhook(client: MailchimpClient, audience_id: str, webhook_id: str) -> None:
    try:
        await client.request("DELETE", f"/lists/{audience_id}/webhooks/{webhook_id}")
    except errors.NotFound:
        return
