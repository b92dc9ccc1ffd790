"""Queries for saved import mappings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.crm.import_mappings.models import ImportMapping


def by_name(session: Session, name: str) -> ImportMapping | None:
    return session.scalars(select(ImportMapping).where(ImportMapping.name == name)).first()


def get(session: Session, mapping_id: int) -> ImportMapping | None:
    return session.get(ImportMapping, mapping_id)


def all_by_name(session: Session) -> Sequence[ImportMapping]:
    return session.scalars(select(ImportMapping).order_by(ImportMapping.name)).all()
