"""What the workers run. Each task is a boundary (commits its own work) and logs with its ids bound.

The functions here take the database and settings explicitly; ``registry.py`` registers them on a
Huey instance with those bound, so tests can call them directly too.
"""

from __future__ import annotations

from constituent.integrations.mailchimp.campaigns.tracking import track_campaigns as track
from constituent.integrations.mailchimp.inbound.processing import process_pending
from constituent.integrations.mailchimp.reconcile.service import reconcile as reconcile_all
from constituent.integrations.mailchimp.sync.engine import run_queued
from constituent.jobs import reaper, schedule
from constituent.jobs.handoff import Handoff
from constituent.kit.clock import utcnow
from constituent.kit.logging import bound, get_logger
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

log = get_logger(__name__)


def run_sync(database: Database, settings: Settings, run_id: int) -> None:
    with bound(run_id=run_id):
        run = run_queued(database, settings, run_id)
        with bound(integration_id=run.integration_id):
            log.info("sync run ended", status=str(run.status), message=run.message[:200])


def process_webhooks(
    database: Database, settings: Settings, integration_id: int | None, handoff: Handoff
) -> int:
    with bound(integration_id=integration_id):
        # A sent campaign's import is queued at once (after its delivery committed), not left for the
        # quarter-hourly pass: its activities appear within a minute of the webhook.
        processed = process_pending(
            database, settings, integration_id=integration_id, campaign_sent=handoff.import_campaigns
        )
        if processed:
            log.info("webhook events processed", processed=processed)
        return processed


def reconcile(database: Database, settings: Settings) -> None:
    result = reconcile_all(database, settings)
    log.info("reconciliation done", **vars(result))


def track_campaigns(database: Database, settings: Settings) -> None:
    result = track(database, settings)
    log.info("campaign tracking done", **vars(result))


def import_campaigns(database: Database, settings: Settings, integration_id: int) -> None:
    with bound(integration_id=integration_id):
        result = track(database, settings, integration_id=integration_id)
        log.info("campaign import done", **vars(result))


def nightly_tick(database: Database, settings: Settings, handoff: Handoff) -> None:
    queued = schedule.enqueue_nightly(database, settings, utcnow(), handoff)
    if queued:
        log.info("nightly runs queued", count=len(queued))


def reap(database: Database, settings: Settings, handoff: Handoff) -> None:
    reaped = reaper.reap(database, settings, utcnow(), handoff)
    if reaped.interrupted or reaped.handed_again:
        log.warning("reaper", **vars(reaped))
