"""What the webhook inbox looks like from outside (GET /api/v1/webhook-events): no body, no address."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from constituent.integrations.mailchimp.inbound.models import InboxStatus


class WebhookEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    integration_id: int
    received_at: datetime
    event_type: str
    fired_at: datetime
    subscriber_hash: str
    status: InboxStatus
    attempts: int
    outcome: str
    error: str
    processed_at: datetime | None
