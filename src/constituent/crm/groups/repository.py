"""Every query on groups and memberships lives here. Bulk paths work in chunks of ids, never one per id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.crm.groups.models import Group, GroupMembership, MembershipMethod, MembershipStatus

# Well under the bound-parameter limits of SQLite (32,766) and PostgreSQL (65,535).
ID_CHUNK = 5000


def chunks(ids: Sequence[int], size: int = ID_CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# A group not deleted: every list and lookup by name or id reads only these.
LIVE = Group.deleted_at.is_(None)


def get(session: Session, group_id: int) -> Group | None:
    """A live group (a deleted one is kept for its history, not found)."""
    group = session.get(Group, group_id)
    return group if group is not None and group.deleted_at is None else None


def by_name(session: Session, name: str) -> Group | None:
    return session.scalars(select(Group).where(Group.name == name, LIVE)).one_or_none()


def ids_by_name(session: Session, names: Iterable[str]) -> dict[str, int]:
    rows = session.execute(select(Group.name, Group.id).where(Group.name.in_(list(names)), LIVE))
    return {name: group_id for name, group_id in rows}


def name_taken(session: Session, name: str) -> bool:
    """Any group, deleted ones too, holds the name (names are unique in the table)."""
    return session.scalar(select(Group.id).where(Group.name == name)) is not None


def insert_groups(session: Session, names: Sequence[str], now: datetime) -> dict[str, int]:
    rows = [{"name": name, "description": "", "created_at": now} for name in names]
    if not rows:
        return {}
    inserted = session.execute(insert(Group).returning(Group.name, Group.id), rows)
    return {name: group_id for name, group_id in inserted}


def all_with_member_counts(session: Session) -> list[tuple[Group, int]]:
    counts = (
        select(GroupMembership.group_id, func.count().label("members"))
        .where(GroupMembership.status == MembershipStatus.added)
        .group_by(GroupMembership.group_id)
        .subquery()
    )
    query = (
        select(Group, func.coalesce(counts.c.members, 0))
        .outerjoin(counts, counts.c.group_id == Group.id)
        .where(LIVE)
        .order_by(Group.name)
    )
    return [(group, count) for group, count in session.execute(query)]


def existing_contact_ids(session: Session, ids: Sequence[int]) -> set[int]:
    return set(session.scalars(select(Contact.id).where(Contact.id.in_(ids))))


def current_member_ids(session: Session, group_id: int, contact_ids: Sequence[int]) -> set[int]:
    query = select(GroupMembership.contact_id).where(
        GroupMembership.group_id == group_id,
        GroupMembership.status == MembershipStatus.added,
        GroupMembership.contact_id.in_(contact_ids),
    )
    return set(session.scalars(query))


def current_member_ids_query(group_id: int) -> Select[int]:
    return select(GroupMembership.contact_id).where(
        GroupMembership.group_id == group_id, GroupMembership.status == MembershipStatus.added
    )


def all_current_member_ids(session: Session, group_id: int) -> list[int]:
    query = select(GroupMembership.contact_id).where(
        GroupMembership.group_id == group_id, GroupMembership.status == MembershipStatus.added
    )
    return sorted(session.scalars(query))


def current_pairs(session: Session, contact_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(group id, contact id) of every current membership of these contacts (the importer's check)."""
    query = select(GroupMembership.group_id, GroupMembership.contact_id).where(
        GroupMembership.status == MembershipStatus.added, GroupMembership.contact_id.in_(contact_ids)
    )
    return {(group_id, contact_id) for group_id, contact_id in session.execute(query)}


def insert_memberships(
    session: Session, pairs: Sequence[tuple[int, int]], method: MembershipMethod, now: datetime
) -> list[tuple[int, int]]:
    """Insert current memberships for (group id, contact id) pairs; returns (membership id, contact id)."""
    if not pairs:
        return []
    rows = [
        {
            "group_id": group_id,
            "contact_id": contact_id,
            "status": MembershipStatus.added,
            "method": method,
            "added_at": now,
            "removed_reason": "",
            "updated_at": now,
        }
        for group_id, contact_id in pairs
    ]
    # Unordered RETURNING keeps the batched INSERT on SQLite; each row names its contact anyway.
    statement = insert(GroupMembership).returning(GroupMembership.id, GroupMembership.contact_id)
    return [(membership_id, contact_id) for membership_id, contact_id in session.execute(statement, rows)]


def mark_removed(
    session: Session,
    group_id: int,
    contact_ids: Sequence[int],
    *,
    method: MembershipMethod,
    reason: str,
    now: datetime,
) -> list[tuple[int, int]]:
    """End the current memberships of these contacts; returns (membership id, contact id) of those ended."""
    statement = (
        update(GroupMembership)
        .where(
            GroupMembership.group_id == group_id,
            GroupMembership.status == MembershipStatus.added,
            GroupMembership.contact_id.in_(contact_ids),
        )
        .values(
            status=MembershipStatus.removed,
            removed_at=now,
            removed_method=method,
            removed_reason=reason,
            updated_at=now,
        )
        .returning(GroupMembership.id, GroupMembership.contact_id)
    )
    return [(membership_id, contact_id) for membership_id, contact_id in session.execute(statement)]


def get_membership(session: Session, membership_id: int) -> GroupMembership | None:
    return session.get(GroupMembership, membership_id)


def for_contact(session: Session, contact_id: int) -> list[tuple[GroupMembership, Group]]:
    """Every stint of the contact, deleted groups' too (their history is kept)."""
    query = (
        select(GroupMembership, Group)
        .join(Group, Group.id == GroupMembership.group_id)
        .where(GroupMembership.contact_id == contact_id)
        .order_by(Group.name, GroupMembership.added_at)
    )
    return [(membership, group) for membership, group in session.execute(query)]


def current_members(
    session: Session, group_id: int, *, limit: int, offset: int
) -> tuple[list[tuple[GroupMembership, Contact]], int]:
    condition = (GroupMembership.group_id == group_id) & (GroupMembership.status == MembershipStatus.added)
    total = session.scalar(select(func.count()).select_from(GroupMembership).where(condition)) or 0
    query = (
        select(GroupMembership, Contact)
        .join(Contact, Contact.id == GroupMembership.contact_id)
        .where(condition)
        .order_by(GroupMembership.contact_id)
        .limit(limit)
        .offset(offset)
    )
    return [(membership, contact) for membership, contact in session.execute(query)], total
