"""A health check's figures, one typed column each, and the people behind each line (up to 1,000 a line)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from constituent.crm.contacts.models import _enum
from constituent.integrations.mailchimp.health.schemas import HealthKind
from constituent.kit.db import Base, UTCDateTime


class HealthCheck(Base):
    __tablename__ = "mailchimp_health_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"), index=True
    )
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Members Mailchimp holds, by status.
    subscribed: Mapped[int] = mapped_column(Integer, default=0)
    unsubscribed: Mapped[int] = mapped_column(Integer, default=0)
    cleaned: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    transactional: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[int] = mapped_column(Integer, default=0)
    # The lines with people behind them (schemas.HealthKind), exact counts.
    unowned: Mapped[int] = mapped_column(Integer, default=0)
    archived_by_hand: Mapped[int] = mapped_column(Integer, default=0)
    deleted_there: Mapped[int] = mapped_column(Integer, default=0)
    drifted: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)


class HealthPersonRow(Base):
    __tablename__ = "mailchimp_health_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("mailchimp_health_checks.id", ondelete="CASCADE"))
    kind: Mapped[HealthKind] = mapped_column(_enum(HealthKind, "health_kind"))
    subscriber_hash: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(320))
    contact_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: a snapshot of that moment
