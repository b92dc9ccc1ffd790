"""Queries on csv_imports."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.crm.csv_imports.models import CsvImport


def add(session: Session, row: CsvImport) -> CsvImport:
    session.add(row)
    session.flush()
    return row


def get(session: Session, import_id: int) -> CsvImport | None:
    return session.get(CsvImport, import_id)


def recent(session: Session, limit: int) -> Sequence[CsvImport]:
    return session.scalars(select(CsvImport).order_by(CsvImport.id.desc()).limit(limit)).all()
