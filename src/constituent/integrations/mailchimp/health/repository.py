"""Health checks: the latest per integration, and its people by line (queries only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.health.figures import Figures
from constituent.integrations.mailchimp.health.models import HealthCheck, HealthPersonRow
from constituent.integrations.mailchimp.health.schemas import STATUSES, HealthKind, HealthPerson, HealthReport


def save(session: Session, integration_id: int, checked_at: datetime, found: Figures) -> HealthCheck:
    """The new check replaces the integration's earlier ones (only the latest is shown)."""
    session.execute(delete(HealthCheck).where(HealthCheck.integration_id == integration_id))
    check = HealthCheck(
        integration_id=integration_id,
        checked_at=checked_at,
        **{status: found.by_status.get(status, 0) for status in STATUSES},
        **{kind.value: found.counts.get(kind, 0) for kind in HealthKind},
    )
    session.add(check)
    session.flush()
    session.add_all(
        HealthPersonRow(check_id=check.id, kind=kind, subscriber_hash=h, email=email, contact_id=contact_id)
        for kind, people in found.people.items()
        for h, email, contact_id in people
    )
    session.flush()
    return check


def latest(session: Session, integration_id: int) -> HealthCheck | None:
    query = select(HealthCheck).where(HealthCheck.integration_id == integration_id)
    return session.scalars(query.order_by(HealthCheck.id.desc()).limit(1)).first()


def report_of(check: HealthCheck) -> HealthReport:
    return HealthReport(
        integration_id=check.integration_id,
        checked_at=check.checked_at,
        by_status={status: getattr(check, status) for status in STATUSES},
        counts={kind: getattr(check, kind.value) for kind in HealthKind},
    )


def people(
    session: Session, check_id: int, kind: HealthKind, offset: int, limit: int
) -> tuple[list[HealthPerson], int]:
    where = (HealthPersonRow.check_id == check_id) & (HealthPersonRow.kind == kind)
    total = session.scalar(select(func.count()).select_from(HealthPersonRow).where(where)) or 0
    rows = session.scalars(
        select(HealthPersonRow).where(where).order_by(HealthPersonRow.id).offset(offset).limit(limit)
    )
    return [HealthPerson(email=row.email, contact_id=row.contact_id) for row in rows], total
