"""The campaign tracking boundary: discover sent campaigns, read their recipients, write activities.

Discovery asks ``GET /campaigns?list_id=…&status=sent&since_send_time=…`` (from the latest campaign we
track, minus an overlap; the first pass reads the audience's whole history), on top of the campaigns the
``campaign`` webhook scheduled. Reading pages ``/reports/{id}/sent-to`` 1,000 at a time, a few pages in
flight, and commits each page's activities together with the campaign's cursor, in order: a crash loses
at most the pages in flight and the next pass resumes from the cursor. Activities carry a dedupe key
(integration, campaign, contact), so reading a campaign again adds nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.campaigns import repository, service
from constituent.integrations.mailchimp.campaigns.models import TrackingState
from constituent.integrations.mailchimp.client import PAGE_SIZE, MailchimpClient
from constituent.integrations.mailchimp.reconcile.targets import Target, targets
from constituent.integrations.mailchimp.responses import (
    Campaign,
    CampaignsPage,
    EmailActivityPage,
    SentToPage,
    parse_timestamp,
)
from constituent.integrations.mailchimp.service import get_integration
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

log = logging.getLogger(__name__)

# Campaigns sent shortly before the latest one we know are asked for again (already tracked ones are skipped).
DISCOVERY_OVERLAP = timedelta(hours=1)
CAMPAIGN_FIELDS = "id,status,send_time,archive_url,long_archive_url,settings.subject_line"
RECIPIENT_FIELDS = "sent_to.email_id,sent_to.email_address"
ENGAGEMENT_FIELDS = "emails.email_id,emails.email_address,emails.activity"
# Most opens and clicks come in the first days; a campaign's are re-read this often for this long.
ENGAGEMENT_EVERY = timedelta(hours=6)
ENGAGEMENT_DAYS = timedelta(days=7)

# Called after each committed page with (campaign id, recipients read so far, total).
PageHook = Callable[[str, int, int], None]


@dataclass
class TrackingResult:
    campaigns_discovered: int = 0
    campaigns_read: int = 0
    recipients_read: int = 0
    activities_written: int = 0
    engagement_updated: int = 0  # activities given (new) open and click counts
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def track_campaigns(
    database: Database,
    settings: Settings,
    *,
    integration_id: int | None = None,
    page_size: int = PAGE_SIZE,
    on_page: PageHook | None = None,
    reread_engagement: bool = False,
) -> TrackingResult:
    """Discover campaigns sent to each integration's audience and read every one not read to the end.

    Opens and clicks of campaigns sent in the last week are read again when last read over
    ``ENGAGEMENT_EVERY`` ago, or (``reread_engagement``: someone asked, e.g. the CLI) whenever this runs.
    """
    result = TrackingResult()
    every = timedelta(0) if reread_engagement else ENGAGEMENT_EVERY
    for target in targets(database, settings, integration_id):
        tracker = _Tracker(database, target, result, page_size, on_page, every)
        try:
            asyncio.run(tracker.run())
        except errors.MailchimpError as exc:
            # Discovery failed (the reads record their own failures); the next pass tries again.
            log.warning("campaign discovery failed for integration %s: %s", target.integration_id, exc)
            result.failed += 1
    return result


class _Tracker:
    def __init__(
        self,
        database: Database,
        target: Target,
        result: TrackingResult,
        page_size: int,
        on_page: PageHook | None,
        engagement_every: timedelta = ENGAGEMENT_EVERY,
    ) -> None:
        self.sessions = database.sessions
        self.engagement_every = engagement_every
        self.started = utcnow()
        self.target = target
        self.result = result
        self.page_size = page_size
        self.on_page = on_page

    async def run(self) -> None:
        async with MailchimpClient(self.target.credentials) as client:
            await self._discover(client)
            with session_scope(self.sessions) as session:
                pending = repository.to_read(session, self.target.integration_id)
            for tracked_id in pending:
                await self._read_safely(client, tracked_id)
            await self._refresh_engagement(client)

    async def _refresh_engagement(self, client: MailchimpClient) -> None:
        """Campaigns sent in the last week get their opens and clicks read again every few hours (or every
        time, when asked). Measured from this pass's start: a campaign read to the end in it is not read
        twice."""
        with session_scope(self.sessions) as session:
            due = repository.engagement_due(
                session,
                self.target.integration_id,
                sent_after=self.started - ENGAGEMENT_DAYS,
                read_before=self.started - self.engagement_every,
            )
        for tracked_id, campaign_id in due:
            try:
                await self._read_engagement(client, tracked_id, campaign_id)
            except errors.MailchimpError as exc:
                log.warning("reading opens and clicks of campaign %s failed: %s", campaign_id, exc.describe())
                self.result.failed += 1

    # -- discovery ---------------------------------------------------------------------------------

    async def _discover(self, client: MailchimpClient) -> None:
        with session_scope(self.sessions) as session:
            latest = repository.latest_send_time(session, self.target.integration_id)
        params: dict[str, Any] = {"list_id": self.target.audience_id, "status": "sent"}
        if latest is not None:
            params["since_send_time"] = (latest - DISCOVERY_OVERLAP).isoformat()
        found = await client.collect(
            "/campaigns", CampaignsPage, params=params, fields=_listed(CAMPAIGN_FIELDS)
        )
        with session_scope(self.sessions) as session:
            integration = get_integration(session, self.target.integration_id)
            for campaign in found:
                values = _campaign_values(campaign)
                known = repository.find(session, integration.id, values["campaign_id"])
                if known is None:
                    repository.add_unless_known(session, {"integration_id": integration.id, **values})
                    self.result.campaigns_discovered += 1
                elif not known.archive_url:
                    # Scheduled from a webhook, which carries no send time or link.
                    repository.set_fields(session, known.id, **values)

    # -- reading -----------------------------------------------------------------------------------

    async def _read_safely(self, client: MailchimpClient, tracked_id: int) -> None:
        try:
            await self._read(client, tracked_id)
        except errors.MailchimpError as exc:
            self._fail(tracked_id, exc.describe())
        except Exception as exc:
            # Recorded on the campaign and retried by the next pass; the other campaigns go on.
            log.exception("reading campaign %s failed", tracked_id)
            self._fail(tracked_id, f"{type(exc).__name__}: {exc}")

    async def _read(self, client: MailchimpClient, tracked_id: int) -> None:
        with session_scope(self.sessions) as session:
            tracked = repository.get(session, tracked_id)
            campaign_id, start = tracked.campaign_id, tracked.recipients_read
            # A campaign the webhook scheduled lacks its link and exact send time until we ask for it.
            complete = bool(tracked.archive_url)
        if not complete:
            path, params = f"/campaigns/{campaign_id}", {"fields": CAMPAIGN_FIELDS}
            details = await client.get_model(path, Campaign, params)
            with session_scope(self.sessions) as session:
                repository.set_fields(session, tracked_id, **_campaign_values(details))
        with session_scope(self.sessions) as session:
            repository.set_fields(session, tracked_id, state=TrackingState.reading, error="")
        path = f"/reports/{campaign_id}/sent-to"
        recipients = client.pages(
            path, SentToPage, fields=RECIPIENT_FIELDS, page_size=self.page_size, start=start
        )
        async for offset, page in recipients:
            self._write_page(tracked_id, page, offset)
        await self._read_engagement(client, tracked_id, campaign_id)
        with session_scope(self.sessions) as session:
            repository.set_fields(session, tracked_id, state=TrackingState.done, finished_at=utcnow())
        self.result.campaigns_read += 1

    async def _read_engagement(self, client: MailchimpClient, tracked_id: int, campaign_id: str) -> None:
        """Opens and clicks onto the activities; read again while the campaign is young (see ``run``)."""
        started = utcnow()
        path = f"/reports/{campaign_id}/email-activity"
        async for _, page in client.pages(
            path, EmailActivityPage, fields=ENGAGEMENT_FIELDS, page_size=self.page_size
        ):
            self._write_engagement(tracked_id, page)
        with session_scope(self.sessions) as session:
            repository.set_fields(session, tracked_id, engagement_read_at=started)

    def _write_page(self, tracked_id: int, page: SentToPage, offset: int) -> None:
        recipients = [service.Recipient(r.email_id, r.email_address) for r in page.sent_to]
        total = page.total_items
        with session_scope(self.sessions) as session:
            tracked = repository.get(session, tracked_id)
            campaign_id, read_so_far = tracked.campaign_id, offset + len(recipients)
            sent = service.recipient_contacts(session, self.target.integration_id, recipients)
            written = service.write_sent_activities(session, tracked, self.target.audience_name, sent)
            repository.advance(session, tracked_id, read_to=read_so_far, activities=written, total=total)
        self.result.recipients_read += len(recipients)
        self.result.activities_written += written
        if self.on_page is not None:
            self.on_page(campaign_id, read_so_far, total)

    def _write_engagement(self, tracked_id: int, page: EmailActivityPage) -> None:
        engaged = [e for row in page.emails if (e := service.engagement_of(row))]
        if not engaged:
            return
        with session_scope(self.sessions) as session:
            tracked = repository.get(session, tracked_id)
            updated = service.write_engagement(session, tracked, self.target.audience_name, engaged)
        self.result.engagement_updated += updated

    def _fail(self, tracked_id: int, message: str) -> None:
        log.warning("reading campaign %s failed: %s", tracked_id, message)
        with session_scope(self.sessions) as session:
            repository.set_fields(session, tracked_id, state=TrackingState.failed, error=message[:2000])
        self.result.failed += 1


def _listed(fields: str) -> str:
    return ",".join(f"campaigns.{name}" for name in fields.split(","))


def _campaign_values(campaign: Campaign) -> dict[str, Any]:
    return {
        "campaign_id": campaign.id,
        "subject": campaign.settings.subject_line[:300],
        "send_time": parse_timestamp(campaign.send_time),
        "archive_url": (campaign.long_archive_url or campaign.archive_url)[:500],
    }
