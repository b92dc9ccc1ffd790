"""What the reaper, the nightly scheduler and the webhook processing need of the queue: hand a queued run
over, see the backlog, ask for a campaign import.

The registry's ``Jobs`` provides it; they receive it as an argument, so the modules below the registry
never import it (the registry imports the tasks, which call them).
"""

from __future__ import annotations

from typing import Protocol

from constituent.integrations.mailchimp.sync.models import SyncRun


class Handoff(Protocol):
    def hand_over(self, run: SyncRun) -> bool:
        """Give a queued run to the queue; False when the queue cannot be reached (the row stays queued)."""
        ...

    def backlog(self) -> int:
        """Messages waiting in the queue."""
        ...

    def import_campaigns(self, integration_id: int) -> bool:
        """Ask for the integration's campaign import now (a sent campaign's webhook); False when the queue
        cannot be reached (the quarter-hourly pass imports it then)."""
        ...
