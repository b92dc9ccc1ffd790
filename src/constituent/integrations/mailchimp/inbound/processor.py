"""Applies one inbound event to the database: idempotent, order-safe, never commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.inbound.events import InboundEvent
from constituent.integrations.mailchimp.models import MailchimpIntegration


def apply_event(session: Session, integration: MailchimpIntegration, event: InboundEvent) -> str:
    """Apply ``event``; return a short outcome ("applied", "stale", "duplicate", "no-contact", ...)."""
    raise NotImplementedError  # body lands shortly; the signature is the seam
