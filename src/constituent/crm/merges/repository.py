"""The merge's and the duplicate finder's queries."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session, aliased

from constituent.crm.activities.models import Activity, ChangeLogEntry
from constituent.crm.contacts.models import Contact, Email
from constituent.crm.contributions.models import Contribution
from constituent.crm.groups.models import GroupMembership, MembershipStatus
from constituent.integrations.mailchimp.sync.models import LedgerRow

# Rows that simply change owner in a merge (group memberships need care first: see the service).
# The Mailchimp ledger is among them: its rows of the merged contact become the survivor's, so the
# next sync looks at that address again and archives its member, or leaves an unsubscribed one be.
_OWNED = (Contribution, Activity, ChangeLogEntry, GroupMembership, LedgerRow)


def move_rows(session: Session, from_id: int, to_id: int) -> dict[str, int]:
    """Every contribution, activity, change-log entry and membership of ``from_id`` now ``to_id``'s."""
    moved = {}
    for model in _OWNED:
        result = session.execute(
            update(model)
            .where(model.contact_id == from_id)
            .values(contact_id=to_id)
            .execution_options(synchronize_session=False)
        )
        moved[model.__tablename__] = int(result.rowcount)  # type: ignore[attr-defined]
    return moved


def shared_current_memberships(session: Session, one_id: int, other_id: int) -> list[GroupMembership]:
    """``other_id``'s current memberships of groups ``one_id`` is also currently in."""
    mine = aliased(GroupMembership)
    query = select(GroupMembership).where(
        GroupMembership.contact_id == other_id,
        GroupMembership.status == MembershipStatus.added,
        select(mine.id)
        .where(
            mine.contact_id == one_id,
            mine.group_id == GroupMembership.group_id,
            mine.status == MembershipStatus.added,
        )
        .exists(),
    )
    return list(session.scalars(query))


def pairs_by_email(session: Session, limit: int) -> list[tuple[int, int]]:
    other = aliased(Email)
    query = (
        select(Email.contact_id, other.contact_id)
        .join(
            other,
            and_(
                other.address_normalized == Email.address_normalized,
                other.contact_id > Email.contact_id,
            ),
        )
        .distinct()
        .limit(limit)
    )
    return [(first, second) for first, second in session.execute(query)]


def pairs_by_name_and_postal_code(session: Session, limit: int) -> list[tuple[int, int]]:
    other = aliased(Contact)
    query = (
        select(Contact.id, other.id)
        .join(
            other,
            and_(
                other.last_name == Contact.last_name,
                other.first_name == Contact.first_name,
                other.postal_code == Contact.postal_code,
                other.id > Contact.id,
            ),
        )
        .where(Contact.postal_code != "", Contact.last_name != "")
        .limit(limit)
    )
    return [(first, second) for first, second in session.execute(query)]


def phones(session: Session) -> Iterator[tuple[int, str]]:
    query = select(Contact.id, Contact.phone).where(Contact.phone != "").order_by(Contact.id)
    rows = session.execute(query.execution_options(yield_per=10_000))
    return ((contact_id, phone) for contact_id, phone in rows)
