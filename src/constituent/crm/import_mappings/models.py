"""A saved import mapping: a name, and one row per file column (typed rows, not a JSON blob)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime


class ImportMapping(Base):
    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    saved_by: Mapped[str] = mapped_column(String(320), default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    columns: Mapped[list[ImportMappingColumn]] = relationship(
        back_populates="mapping", cascade="all, delete-orphan", order_by="ImportMappingColumn.position"
    )


class ImportMappingColumn(Base):
    __tablename__ = "import_mapping_columns"
    __table_args__ = (UniqueConstraint("mapping_id", "column_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mapping_id: Mapped[int] = mapped_column(ForeignKey("import_mappings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    column: Mapped[str] = mapped_column(String(300))  # as the file spelt it
    column_key: Mapped[str] = mapped_column(String(300))  # trimmed and lower-cased, as files are matched
    field: Mapped[str] = mapped_column(String(50), default="")  # "" leaves the column out
    mapping: Mapped[ImportMapping] = relationship(back_populates="columns")
