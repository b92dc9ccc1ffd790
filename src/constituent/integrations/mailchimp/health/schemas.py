"""What a health check reports: typed figures, the people behind each, and what the next sync does."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel


class HealthKind(enum.StrEnum):
    """A line of the report that has people behind it."""

    unowned = "unowned"
    archived_by_hand = "archived_by_hand"
    deleted_there = "deleted_there"
    drifted = "drifted"
    refused = "refused"


# Each line in a staffer's words, and what the next sync will do about it.
WORDS: dict[HealthKind, tuple[str, str]] = {
    HealthKind.unowned: (
        "In Mailchimp, but no contact owns them (typed in by hand, or signed up and not matched yet)",
        "Left alone. A sign-up is matched to its contact by the hourly check.",
    ),
    HealthKind.archived_by_hand: (
        "Archived in Mailchimp by someone there",
        "Left archived. Those who never unsubscribed can be restored from Who left the audience.",
    ),
    HealthKind.deleted_there: (
        "Deleted for good in Mailchimp",
        "Never added again: Mailchimp refuses the address.",
    ),
    HealthKind.drifted: (
        "Fields, tags or interests differ from the database",
        "The next sync writes the database's values back (an interest a member changed herself is kept).",
    ),
    HealthKind.refused: (
        "Refused by Mailchimp (compliance, an address that looks fake, unsubscribed)",
        "Nothing is sent to them; the contact's Mailchimp panel says why.",
    ),
}

STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived")


class HealthPerson(BaseModel):
    email: str
    contact_id: int | None


class HealthReport(BaseModel):
    integration_id: int
    checked_at: datetime
    by_status: dict[str, int]  # members Mailchimp holds, by status
    counts: dict[HealthKind, int]  # exact, whatever the number of people kept

    def words(self) -> list[tuple[HealthKind, str, str, int]]:
        return [(kind, *WORDS[kind], self.counts.get(kind, 0)) for kind in HealthKind]
