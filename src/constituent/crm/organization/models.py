"""Organization settings: one row; Mailchimp audiences need the postal address and sender defaults."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime

SETTINGS_ROW_ID = 1
# Who counts as a major donor until the organization says otherwise (the "Major donors" quick list).
DEFAULT_MAJOR_DONOR_THRESHOLD = Decimal("1000")


class OrganizationSettings(Base):
    __tablename__ = "organization_settings"

    id: Mapped[int] = mapped_column(primary_key=True, default=SETTINGS_ROW_ID)
    organization_name: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="US")
    phone: Mapped[str] = mapped_column(String(40), default="")
    from_name: Mapped[str] = mapped_column(String(100), default="")
    from_email: Mapped[str] = mapped_column(String(320), default="")
    timezone: Mapped[str] = mapped_column(String(60), default="UTC")
    major_donor_threshold: Mapped[Decimal] = mapped_column(
        Numeric(12, 2), default=DEFAULT_MAJOR_DONOR_THRESHOLD
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
