"""Reconciliation: read members changed in Mailchimp since the watermark and feed the inbound processor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings


@dataclass
class ReconcileResult:
    integrations: int = 0
    members_read: int = 0
    events_applied: int = 0
    failed: int = 0


def reconcile(
    database: Database, settings: Settings, *, integration_id: int | None = None
) -> ReconcileResult:
    """Boundary: reconcile one integration (or every one), committing as it goes."""
    raise NotImplementedError  # body lands shortly; the signature is the seam


async def reconcile_in_run(
    client: MailchimpClient, sessions: sessionmaker[Session], integration_id: int
) -> int:
    """Called by a sync run before planning; returns how many events it applied."""
    raise NotImplementedError  # body lands shortly; the signature is the seam
