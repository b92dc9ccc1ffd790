"""Queries on merge-field mappings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.merge_fields.models import MergeFieldMapping


def list_for(session: Session, integration_id: int) -> list[MergeFieldMapping]:
    query = select(MergeFieldMapping).where(MergeFieldMapping.integration_id == integration_id)
    return list(session.scalars(query.order_by(MergeFieldMapping.tag)))


def find(
    session: Session, integration_id: int, *, field: str | None = None, tag: str | None = None
) -> MergeFieldMapping | None:
    query = select(MergeFieldMapping).where(MergeFieldMapping.integration_id == integration_id)
    if field is not None:
        query = query.where(MergeFieldMapping.contact_field == field)
    if tag is not None:
        query = query.where(MergeFieldMapping.tag == tag)
    return session.scalars(query).first()


def add(session: Session, mapping: MergeFieldMapping) -> MergeFieldMapping:
    session.add(mapping)
    session.flush()
    return mapping


def delete(session: Session, mapping: MergeFieldMapping) -> None:
    session.delete(mapping)
    session.flush()
