"""Campaign tracking inside a transaction (never commits): what to track, and the activities to write."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.activities import repository as activities
from constituent.integrations.mailchimp.campaigns import repository
from constituent.integrations.mailchimp.campaigns.models import TrackedCampaign
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.responses import EmailActivity
from constituent.kit.clock import utcnow

ACTIVITY_TYPE = "email_sent"
ACTIVITY_SOURCE = "Mailchimp"
SUBJECT_ROOM = 300 - len("Email sent: ")


def schedule_tracking(
    session: Session,
    integration: MailchimpIntegration,
    campaign_id: str,
    *,
    send_time: datetime | None = None,
    subject: str = "",
) -> None:
    """Record that ``campaign_id`` must be read (idempotent: a campaign already known is left as it is)."""
    repository.add_unless_known(
        session,
        {
            "integration_id": integration.id,
            "campaign_id": campaign_id,
            "subject": subject[:300],
            "send_time": send_time,
        },
    )


@dataclass(frozen=True, slots=True)
class Recipient:
    """One row of /reports/{id}/sent-to: Mailchimp's member id (md5) and address."""

    email_id: str
    email_address: str


def dedupe_key(integration_id: int, campaign_id: str, contact_id: int) -> str:
    return f"mailchimp:sent:{integration_id}:{campaign_id}:{contact_id}"


def recipient_contacts(
    session: Session, integration_id: int, recipients: Iterable[Recipient]
) -> dict[int, str]:
    """contact id → the address the campaign went to, for a page of recipients.

    The ledger says whose data a member carries (an address two contacts share goes to its owner); an
    address the ledger does not know (added in Mailchimp, or before the first sync) goes to every contact
    holding it.
    """
    page = list(recipients)
    owners = repository.ledger_contacts(session, integration_id, {r.email_id for r in page})
    unowned = {r.email_address.lower() for r in page if r.email_id not in owners}
    holders = repository.contacts_by_address(session, unowned) if unowned else {}
    found: dict[int, str] = {}
    for r in page:
        contact_ids = (
            {owners[r.email_id]} if r.email_id in owners else holders.get(r.email_address.lower(), ())
        )
        for contact_id in contact_ids:
            found.setdefault(contact_id, r.email_address)
    return found


def _sent_details(campaign: TrackedCampaign, audience_name: str, address: str) -> dict[str, Any]:
    return {
        "campaign_id": campaign.campaign_id,
        "send_time": (campaign.send_time or campaign.created_at).isoformat(),
        "link": campaign.archive_url,
        "audience": audience_name,
        "email": address,
    }


def write_sent_activities(
    session: Session, campaign: TrackedCampaign, audience_name: str, sent: Mapping[int, str]
) -> int:
    """One "Email sent" activity per contact (skipped when it exists already); returns how many were new."""
    occurred_at = campaign.send_time or utcnow()
    created_at = utcnow()
    rows = [
        {
            "contact_id": contact_id,
            "type": ACTIVITY_TYPE,
            "subject": f"Email sent: {campaign.subject[:SUBJECT_ROOM]}",
            "occurred_at": occurred_at,
            "source": ACTIVITY_SOURCE,
            "details": _sent_details(campaign, audience_name, address),
            "dedupe_key": dedupe_key(campaign.integration_id, campaign.campaign_id, contact_id),
            "created_at": created_at,
        }
        for contact_id, address in sorted(sent.items())
    ]
    return activities.insert_many_deduplicated(session, rows)


@dataclass(frozen=True, slots=True)
class Engagement:
    """A recipient's opens and clicks, from one row of /reports/{id}/email-activity."""

    recipient: Recipient
    opens: int
    clicks: int
    last_open: str
    urls: tuple[str, ...]


MAX_URLS = 10  # the distinct links a contact clicked, kept on the activity


def engagement_of(row: EmailActivity) -> Engagement | None:
    """The row's totals, or None for a recipient who neither opened nor clicked."""
    opens = [a.timestamp for a in row.activity if a.action == "open"]
    urls = [a.url for a in row.activity if a.action == "click"]
    if not opens and not urls:
        return None
    recipient = Recipient(row.email_id, row.email_address)
    distinct = tuple(dict.fromkeys(u for u in urls if u))[:MAX_URLS]
    return Engagement(recipient, len(opens), len(urls), max(opens, default=""), distinct)


def write_engagement(
    session: Session, campaign: TrackedCampaign, audience_name: str, engaged: Iterable[Engagement]
) -> int:
    """Put the totals on each recipient contact's "Email sent" activity; returns how many contacts."""
    by_address = {e.recipient.email_address.lower(): e for e in engaged}
    recipients = [e.recipient for e in by_address.values()]
    details: dict[str, dict[str, Any]] = {}
    for contact_id, address in recipient_contacts(session, campaign.integration_id, recipients).items():
        found = by_address[address.lower()]
        key = dedupe_key(campaign.integration_id, campaign.campaign_id, contact_id)
        details[key] = {
            **_sent_details(campaign, audience_name, address),
            "opens": found.opens,
            "clicks": found.clicks,
            "last_open": found.last_open,
            "clicked_urls": list(found.urls),
        }
    activities.set_details_by_dedupe_key(session, details)
    return len(details)
