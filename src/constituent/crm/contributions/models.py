"""Contributions (gifts) made by contacts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime


class Contribution(Base):
    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    received_on: Mapped[date] = mapped_column(Date, index=True)
    method: Mapped[str] = mapped_column(String(40), default="")
    designation: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    # Covers the contribution facts (total, count, last gift, within a date range) per contact.
    __table_args__ = (Index("ix_contributions_contact_date_amount", "contact_id", "received_on", "amount"),)
