"""The one shape every inbound change takes, whether a webhook delivered it or reconciliation read it."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


class EventType(enum.StrEnum):
    subscribe = "subscribe"
    unsubscribe = "unsubscribe"
    profile = "profile"
    upemail = "upemail"
    cleaned = "cleaned"
    campaign = "campaign"


class EventSource(enum.StrEnum):
    webhook = "webhook"
    reconciliation = "reconciliation"


@dataclass(frozen=True)
class TickedInterests:
    """The interests a member has ticked, as Mailchimp reports them: by id when read from the API
    (reconciliation), by name when a webhook carries them (``data[merges][GROUPINGS][n][groups]`` lists
    the ticked interests' names)."""

    ids: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()  # lower-cased

    def has(self, interest_id: str, name: str) -> bool:
        return interest_id in self.ids or name.strip().lower() in self.names


@dataclass(frozen=True)
class InboundEvent:
    """One change Mailchimp reports about one member (or one campaign).

    ``email`` is the member's address; for ``upemail`` it is the OLD address and ``new_email`` the new one.
    ``reason`` is the unsubscribe reason (``manual``, ``abuse``) or the cleaned reason (``hard``, ``abuse``).
    ``fired_at`` is an aware UTC datetime; it orders events against the ledger's ``last_changed``.
    """

    type: EventType
    fired_at: datetime
    list_id: str
    email: str = ""
    new_email: str = ""
    reason: str = ""
    campaign_id: str = ""
    merges: Mapping[str, str] = field(default_factory=dict)
    source: str = EventSource.webhook
    member_last_changed: datetime | None = None
    subject: str = ""  # campaign events: the subject line, when Mailchimp sends it
    campaign_status: str = ""  # campaign events: "sent" (the event also fires on a cancel)
    action: str = ""  # unsubscribe events: "unsub", or "delete" when someone deleted the member there
    # profile events: what the member has ticked in our interest category (None: not reported).
    ticked: TickedInterests | None = None
