"""What happened lately across all contacts (the dashboard's "Recent activity"): a query and its rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.crm.activities.models import Activity
from constituent.crm.contacts.models import Contact


@dataclass(frozen=True, slots=True)
class RecentActivity:
    contact_id: int
    contact_name: str
    type: str
    subject: str
    occurred_at: datetime


def recent_activities(session: Session, *, limit: int = 10) -> list[RecentActivity]:
    """The most recently recorded activities first, each with its contact's name.

    Ordered by id (the primary key), not occurred_at: campaign tracking records an activity per
    recipient, and ordering millions of rows by an unindexed column would slow every dashboard view.
    """
    rows = session.execute(
        select(Activity, Contact)
        .join(Contact, Contact.id == Activity.contact_id)
        .order_by(Activity.id.desc())
        .limit(limit)
    ).all()
    return [
        RecentActivity(
            contact.id, contact.display_name, activity.type, activity.subject, activity.occurred_at
        )
        for activity, contact in rows
    ]
