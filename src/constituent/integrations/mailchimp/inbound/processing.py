"""The boundary that drains the webhook inbox: one transaction per event, in the order they arrived."""

from __future__ import annotations

from constituent.kit.runtime import Database
from constituent.kit.settings import Settings


def process_pending(
    database: Database, settings: Settings, *, integration_id: int | None = None, limit: int = 1000
) -> int:
    """Process up to ``limit`` unprocessed inbox rows in order, committing each; return how many."""
    raise NotImplementedError  # body lands shortly; the signature is the seam
