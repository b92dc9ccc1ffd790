"""The webhook inbox (every delivery, stored before we answer) and the per-member event clock."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from constituent.crm.contacts.models import _enum
from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime


class InboxStatus(enum.StrEnum):
    received = "received"  # stored, not processed yet
    processed = "processed"
    failed = "failed"  # processing raised; the error says why (kept for people to look at)
    ignored = "ignored"  # nothing to do (another audience, an event type we do not handle)


class WebhookEvent(Base):
    """One delivery from Mailchimp, exactly as it came (form-encoded), and what processing made of it."""

    __tablename__ = "mailchimp_webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The raw body holds addresses: it stays in the database and is never logged.
    body: Mapped[str] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(String(20))
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The member's subscriber hash (md5 of the address): filterable without clear text.
    subscriber_hash: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[InboxStatus] = mapped_column(
        _enum(InboxStatus, "webhook_event_status"), default=InboxStatus.received
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        # "Unprocessed, in arrival order": small, because processed rows leave it.
        Index(
            "ix_mailchimp_webhook_events_pending",
            "integration_id",
            "id",
            sqlite_where=text("status = 'received'"),
            postgresql_where=text("status = 'received'"),
        ),
        Index("ix_mailchimp_webhook_events_integration_status", "integration_id", "status", "id"),
    )


class MemberEventClock(Base):
    """The newest inbound event applied to one member: an older one arriving later changes nothing.

    Kept apart from the ledger's ``last_changed``, which our own sync writes move forward too: an
    unsubscribe fired before our write but delivered after it must still be applied.
    """

    __tablename__ = "mailchimp_member_event_clock"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"))
    subscriber_hash: Mapped[str] = mapped_column(String(32))
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The address an upemail fired at ``last_event_at`` moved this member to ("" if none). An older
    # upemail INTO this address delivered later follows it, so a chain a→b, b→c applied in reverse
    # order still ends on c.
    renamed_to: Mapped[str] = mapped_column(String(320), server_default="")

    __table_args__ = (UniqueConstraint("integration_id", "subscriber_hash", name="uq_mc_member_event_clock"),)
