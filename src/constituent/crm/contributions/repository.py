"""Queries for contributions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from constituent.crm.contributions.models import Contribution


def get(session: Session, contribution_id: int) -> Contribution | None:
    return session.get(Contribution, contribution_id)


def add(session: Session, contribution: Contribution) -> None:
    session.add(contribution)
    session.flush()


def delete(session: Session, contribution: Contribution) -> None:
    session.delete(contribution)
    session.flush()


def list_page(
    session: Session, *, contact_id: int | None, limit: int, offset: int
) -> tuple[Sequence[Contribution], int]:
    query = select(Contribution)
    if contact_id is not None:
        query = query.where(Contribution.contact_id == contact_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(Contribution.received_on.desc(), Contribution.id.desc()).limit(limit).offset(offset)
    ).all()
    return page, total
