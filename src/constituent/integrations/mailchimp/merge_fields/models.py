"""The table of merge-field mappings: one row per contact field sent to an integration's audience."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime


class MergeFieldMapping(Base):
    __tablename__ = "mailchimp_merge_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"), index=True
    )
    contact_field: Mapped[str] = mapped_column(String(50))
    tag: Mapped[str] = mapped_column(String(10))
    # Mailchimp's id of the merge field (kept for reference; the sync writes values by tag).
    merge_id: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("integration_id", "contact_field", name="uq_mc_merge_field_field"),
        UniqueConstraint("integration_id", "tag", name="uq_mc_merge_field_tag"),
    )
