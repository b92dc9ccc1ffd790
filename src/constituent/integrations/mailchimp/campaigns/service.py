"""Campaign tracking inside a transaction (never commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.models import MailchimpIntegration


def schedule_tracking(
    session: Session,
    integration: MailchimpIntegration,
    campaign_id: str,
    *,
    send_time: datetime | None = None,
    subject: str = "",
) -> None:
    """Record that ``campaign_id`` must be read (idempotent: a campaign already known is left as it is)."""
    raise NotImplementedError  # body lands shortly; the signature is the seam
