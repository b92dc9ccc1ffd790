"""The campaign tracking boundary: discover sent campaigns, read their recipients, write activities."""

from __future__ import annotations

from dataclasses import dataclass

from constituent.kit.runtime import Database
from constituent.kit.settings import Settings


@dataclass
class TrackingResult:
    campaigns_discovered: int = 0
    campaigns_read: int = 0
    recipients_read: int = 0
    activities_written: int = 0
    failed: int = 0


def track_campaigns(
    database: Database, settings: Settings, *, integration_id: int | None = None
) -> TrackingResult:
    """Discover campaigns sent to each integration's audience and read every one not read yet."""
    raise NotImplementedError  # body lands shortly; the signature is the seam
