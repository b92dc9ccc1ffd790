"""The reconciliation watermark: one row per integration."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from constituent.kit.db import Base, UTCDateTime


class ReconcileState(Base):
    __tablename__ = "mailchimp_reconcile_state"

    integration_id: Mapped[int] = mapped_column(
        ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"), primary_key=True
    )
    # The start of the last successful pass: the next one reads members whose status changed since
    # (this − overlap). Every pass moves it, the one inside each sync run too.
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The start of the last successful standalone pass (hourly job, CLI): the next one reads subscribed
    # members who opted in since (this − overlap). Sync runs leave it, so they never read back the
    # members they created.
    optin_watermark: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    members_read: Mapped[int] = mapped_column(Integer, default=0)
    events_applied: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
