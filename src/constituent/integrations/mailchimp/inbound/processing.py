"""The boundary that drains the webhook inbox: one transaction per delivery, in the order they arrived.

A delivery that cannot be applied has its transaction rolled back and its error noted; later passes try it
again, up to three attempts, then it is marked failed. The next one goes on either way; nothing here logs a
body or an address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp import repository as integrations
from constituent.integrations.mailchimp.inbound import repository
from constituent.integrations.mailchimp.inbound.models import InboxStatus
from constituent.integrations.mailchimp.inbound.parsing import ParseError, parse_event
from constituent.integrations.mailchimp.inbound.processor import apply_event
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

log = logging.getLogger(__name__)
# A failure may be passing (a lock timeout, the database restarting): the next passes try again, then
# the row is marked failed and left for a person to look at.
MAX_ATTEMPTS = 3


# Asked, with the integration's id, once a delivery that scheduled a sent campaign has committed.
CampaignSent = Callable[[int], object]


def process_pending(
    database: Database,
    settings: Settings,
    *,
    integration_id: int | None = None,
    limit: int = 1000,
    campaign_sent: CampaignSent | None = None,
) -> int:
    """Process up to ``limit`` unprocessed inbox rows in order, committing each; return how many.

    ``campaign_sent`` (the worker's: queue the campaign import) is called after the commit of each
    delivery that scheduled a sent campaign, so the import finds the campaign it was asked for.
    """
    with session_scope(database.sessions) as session:
        ids = repository.pending_ids(session, integration_id, limit)
    return sum(1 for event_id in ids if process_one(database, event_id, campaign_sent))


def process_one(database: Database, event_id: int, campaign_sent: CampaignSent | None = None) -> bool:
    """Process one inbox row; False when another worker had already taken it."""
    try:
        with session_scope(database.sessions) as session:
            row = repository.claim(session, event_id)
            if row is None:
                return False
            integration_id = row.integration_id
            applied = _apply(session, integration_id, row.body)
            repository.finish(session, event_id, applied.status, applied.text, "", utcnow())
    except Exception as exc:  # one bad delivery must not stop the ones behind it
        with session_scope(database.sessions) as session:
            status = repository.record_failure(session, event_id, _describe(exc), utcnow(), MAX_ATTEMPTS)
        # Only the type: messages may quote an address.
        log.error("mailchimp webhook event %s failed (%s): %s", event_id, status.value, type(exc).__name__)
        return True
    if applied.campaign_sent and campaign_sent is not None:
        campaign_sent(integration_id)
    return True


@dataclass(frozen=True, slots=True)
class _Applied:
    status: InboxStatus
    text: str
    campaign_sent: bool = False


def _apply(session: Session, integration_id: int, body: str) -> _Applied:
    integration = integrations.get(session, integration_id)
    if integration is None:
        return _Applied(InboxStatus.ignored, "integration removed")
    try:
        event = parse_event(body.encode("utf-8"))
    except ParseError as exc:
        return _Applied(InboxStatus.failed, f"unreadable: {exc}")
    outcome = apply_event(session, integration, event)
    status = InboxStatus.processed if outcome.applied else InboxStatus.ignored
    return _Applied(status, outcome.text, outcome.campaign_sent)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
