"""Tracked campaigns: one row per campaign sent to an integration's audience, with the read cursor."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from constituent.crm.contacts.models import _enum
from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime


class TrackingState(enum.StrEnum):
    scheduled = "scheduled"  # known (webhook or discovery), recipients not read yet
    reading = "reading"  # being read; ``recipients_read`` is where a crashed read resumes
    done = "done"
    failed = "failed"  # the last read failed (``error`` says why); the next pass tries again


class TrackedCampaign(Base):
    __tablename__ = "mailchimp_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(300), default="")
    send_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archive_url: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[TrackingState] = mapped_column(
        _enum(TrackingState, "mc_campaign_state"), default=TrackingState.scheduled
    )
    # Offset into /reports/{id}/sent-to up to which every recipient has been written (committed per page).
    recipients_read: Mapped[int] = mapped_column(Integer, default=0)
    recipients_total: Mapped[int] = mapped_column(Integer, default=0)
    activities_written: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    # Opens and clicks keep coming for days: when /email-activity was last read into the activities.
    engagement_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("integration_id", "campaign_id", name="uq_mailchimp_campaign"),)
