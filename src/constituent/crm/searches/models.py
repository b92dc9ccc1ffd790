"""Saved searches (smart groups): a stored filter tree, and the built-in quick lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime


class SavedSearch(Base):
    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # The filter tree as JSON; for quick lists it is built in code from ``quick_list`` and today's date.
    filter: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    quick_list: Mapped[str | None] = mapped_column(String(50), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def is_quick_list(self) -> bool:
        return self.quick_list is not None
