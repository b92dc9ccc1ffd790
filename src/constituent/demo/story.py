"""What the demo does once the app and the emulator are up, the first time only: the first sync with a
progress bar, a few people unsubscribing in Mailchimp (real webhooks into the running app), and a
campaign sent from Mailchimp whose recipients become activities on their contacts."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.campaigns.tracking import track_campaigns
from constituent.integrations.mailchimp.inbound.processing import process_pending
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.models import LedgerRow, RunTrigger, SyncRun
from constituent.integrations.mailchimp.sync.outcome import outcome_words
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

Say = Callable[[str], None]
UNSUBSCRIBES = 3
DELIVERY_WAIT_SECONDS = 30.0


def first_sync(database: Database, settings: Settings, integration_id: int) -> SyncRun:
    """The first sync, run here with a progress bar (the same engine Force Sync queues)."""
    with Progress(
        TextColumn("First sync: {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("changes"),  # the unit of done/total: a member added, a tag, an archive each count one
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task("reading the audience and planning", total=None)

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(task, description=f"sending {phase}", completed=done, total=total)

        run = run_sync(database, settings, integration_id, trigger=RunTrigger.cli, progress=progress)
        bar.update(task, description=outcome_words(run.status, run.errors), completed=bar.tasks[0].total or 0)
    return run


def subscribed_emails(database: Database, integration_id: int, count: int) -> list[str]:
    with database.sessions() as session:
        query = (
            select(LedgerRow.email)
            .where(LedgerRow.integration_id == integration_id, LedgerRow.status == RemoteStatus.subscribed)
            .order_by(LedgerRow.id)
            .limit(count)
        )
        return list(session.scalars(query))


def audience_of(database: Database, integration_id: int) -> str:
    with database.sessions() as session:
        integration = session.get(MailchimpIntegration, integration_id)
        assert integration is not None
        return integration.audience_id


def unsubscribe_a_few(
    database: Database, settings: Settings, emulator_url: str, integration_id: int, say: Say
) -> list[str]:
    """People unsubscribe in Mailchimp (the emulator's control API); Mailchimp calls our webhook, and the
    inbox is processed (by the worker, or here: processing is idempotent, a row is claimed once)."""
    audience_id = audience_of(database, integration_id)
    emails = subscribed_emails(database, integration_id, UNSUBSCRIBES)
    for email in emails:
        path = f"/_emulator/lists/{audience_id}/members/{subscriber_hash(email)}/unsubscribe"
        httpx.post(f"{emulator_url}{path}", json={"reason": "manual"}, timeout=30).raise_for_status()
    wait_for_deliveries(emulator_url)
    processed = process_pending(database, settings, integration_id=integration_id)
    say(f"{len(emails)} people unsubscribed in Mailchimp; {processed} webhook event(s) processed here.")
    return emails


def send_a_campaign(
    database: Database, settings: Settings, emulator_url: str, integration_id: int, say: Say
) -> None:
    """A campaign sent from Mailchimp; tracking reads who received it and writes their activities."""
    audience_id = audience_of(database, integration_id)
    body = {"subject": "Spring cleanup at Elm Park"}
    url = f"{emulator_url}/_emulator/lists/{audience_id}/send-campaign"
    httpx.post(url, json=body, timeout=60).raise_for_status()
    wait_for_deliveries(emulator_url)
    process_pending(database, settings, integration_id=integration_id)
    result = track_campaigns(database, settings, integration_id=integration_id)
    say(
        f"Sent the campaign {body['subject']!r} from Mailchimp; "
        f"{result.activities_written} activities recorded on contacts."
    )


def wait_for_deliveries(emulator_url: str) -> None:
    """Until Mailchimp (the emulator) has no webhook delivery in flight."""
    deadline = time.monotonic() + DELIVERY_WAIT_SECONDS
    while time.monotonic() < deadline:
        listed = httpx.get(f"{emulator_url}/_emulator/webhooks/deliveries", timeout=30).json()
        if not any(d.get("outcome") == "pending" for d in listed["deliveries"]):
            return
        time.sleep(0.2)
