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


def webhook_url(base_url: str, integration_id: int, secret: str) -> str:
    return f"{base_url.rstrip('/')}/webhooks/mailchimp/{integration_id}/{secret}"


async def register_webhook(client: MailchimpClient, audience_id: str, url: str) -> Webhook:
    """Create the webhook, or adopt ours if an earlier attempt already created it."""
    existing = await client.request("GET", f"/lists/{audience_id}/webhooks")
    for item in existing.get("webhooks", []):
        if item.get("url") == url:
            return Webhook.model_validate(item)
    body = {"url": url, "events": EVENTS, "sources": SOURCES}
    return await client.send_model("POST", f"/lists/{audience_id}/webhooks", Webhook, body, idempotent=False)


async def delete_webhook(client: MailchimpClient, audience_id: str, webhook_id: str) -> None:
    try:
        await client.request("DELETE", f"/lists/{audience_id}/webhooks/{webhook_id}")
    except errors.NotFound:
        return
