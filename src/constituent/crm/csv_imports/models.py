"""One CSV import started in the browser. Progress lives in the database, not in the web process, so any
web process (there may be several) can show the bar, and a reload after a restart still finds it."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from constituent.crm.contacts.models import _enum
from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime

# Progress is written after every chunk (5,000 rows, seconds apart); this long without any means the web
# process running the import has stopped (restarted, crashed).
STALLED_AFTER = timedelta(minutes=10)


class ImportStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class CsvImport(Base):
    __tablename__ = "csv_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[ImportStatus] = mapped_column(_enum(ImportStatus, "csv_import_status"), index=True)
    # Who started it: kept (as NULL) if the user is deleted, so the report stays.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rows_expected: Mapped[int] = mapped_column(Integer, default=0)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    # [{"line": 3, "error": "..."}], written once at the end.
    rejected: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    merged: Mapped[int] = mapped_column(Integer, default=0)  # rows folded into an earlier row of the file
    # [{"line": 4, "contact_id": 12}]: rows about a contact already here, left alone (the user chose skip).
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"name": "Donrs", "lines": [2, 3]}]: groups the file names that do not exist (not created).
    unknown_groups: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ignored_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.succeeded, ImportStatus.failed)

    def stalled(self, now: datetime) -> bool:
        return not self.finished and now - self.updated_at > STALLED_AFTER

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.succeeded:
            return 100
        if not self.rows_expected:
            return 0
        return min(100, self.rows_read * 100 // self.rows_expected)
