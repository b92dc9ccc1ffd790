"""Sending campaigns in the emulator (as someone in Mailchimp's UI would) and reading back what tracking
wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from constituent.crm.activities.models import Activity
from constituent.integrations.mailchimp.campaigns import repository
from constituent.integrations.mailchimp.campaigns.models import TrackedCampaign
from constituent.integrations.mailchimp.campaigns.tracking import TrackingResult, track_campaigns
from tests.integrations.mailchimp.sync.sync_helpers import Audience


def send_campaign(audience: Audience, subject: str) -> dict[str, Any]:
    """Create and send a regular campaign to the whole audience; returns the campaign."""
    sent: dict[str, Any] = audience.product.emulator.control(
        "POST", f"lists/{audience.audience_id}/send-campaign", {"subject": subject}
    )
    return sent


def track(audience: Audience, **options: Any) -> TrackingResult:
    return track_campaigns(
        audience.database, audience.product.settings, integration_id=audience.integration_id, **options
    )


def sent_activities(audience: Audience) -> list[Activity]:
    with audience.product.db.sessions() as session:
        query = select(Activity).where(Activity.type == "email_sent").order_by(Activity.contact_id)
        return list(session.scalars(query))


def tracked(audience: Audience) -> list[TrackedCampaign]:
    with audience.product.db.sessions() as session:
        return list(repository.list_for_integration(session, audience.integration_id))


def sent_to_reads(audience: Audience) -> int:
    """How many sent-to pages the emulator served to the account."""
    stats = audience.product.emulator.control("GET", "stats", account_id=audience.account_id)
    return sum(n for route, n in stats["requests"].items() if route.endswith("/sent-to"))
