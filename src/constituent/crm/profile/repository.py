"""The profile's figures, each read in one statement (a profile page is opened often)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from constituent.crm.activities.models import Activity, ChangeLogEntry
from constituent.crm.contributions.models import Contribution
from constituent.crm.groups.models import GroupMembership, MembershipStatus
from constituent.crm.profile.schemas import GivingInCurrency, TabCounts


def tab_counts(session: Session, contact_id: int) -> TabCounts:
    def count_of(model: type[Contribution] | type[Activity] | type[ChangeLogEntry]) -> object:
        return select(func.count()).select_from(model).where(model.contact_id == contact_id).scalar_subquery()

    groups = (
        select(func.count())
        .select_from(GroupMembership)
        .where(GroupMembership.contact_id == contact_id, GroupMembership.status == MembershipStatus.added)
        .scalar_subquery()
    )
    row = session.execute(
        select(count_of(Contribution), count_of(Activity), groups, count_of(ChangeLogEntry))  # type: ignore[call-overload]
    ).one()
    return TabCounts(contributions=row[0], activities=row[1], groups=row[2], changes=row[3])


def giving(session: Session, contact_id: int) -> list[GivingInCurrency]:
    """Per currency (amounts in two currencies are not added up): total, count, first, last, largest."""
    query = (
        select(
            Contribution.currency,
            func.sum(Contribution.amount),
            func.count(),
            func.min(Contribution.received_on),
            func.max(Contribution.received_on),
            func.max(Contribution.amount),
        )
        .where(Contribution.contact_id == contact_id)
        .group_by(Contribution.currency)
        .order_by(func.sum(Contribution.amount).desc())
    )
    return [
        GivingInCurrency(currency=c, total=t, gifts=n, first=f, last=last, largest=big)
        for c, t, n, f, last, big in session.execute(query)
    ]
