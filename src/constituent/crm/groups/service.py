"""Static groups and memberships that keep their history.

Removing a contact keeps the row as a past group; rejoining adds a new row; only past rows can be
deleted. Every membership change bumps the row's ``updated_at`` (the Mailchimp sync diffs on it) and
writes the change log. Bulk operations take any number of ids and work in chunks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.orm import Session

from constituent.crm.activities import changelog
from constituent.crm.activities.changelog import Change
from constituent.crm.errors import Conflict, InvalidInput, NotFound
from constituent.crm.groups import repository
from constituent.crm.groups.models import Group, GroupMembership, MembershipMethod, MembershipStatus
from constituent.crm.groups.schemas import (
    AddResult,
    ContactGroups,
    GroupOut,
    MembershipView,
    MemberView,
    RemoveResult,
)
from constituent.kit.clock import utcnow

GROUP_NAME_MAX = 200


def valid_group_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("name", "a group needs a name")
    if ";" in name:
        raise InvalidInput("name", "may not contain ';' (it separates groups in CSV files)")
    if len(name) > GROUP_NAME_MAX:
        raise InvalidInput("name", f"is longer than {GROUP_NAME_MAX} characters")
    return name


def _membership_method(method: MembershipMethod | str) -> MembershipMethod:
    try:
        return MembershipMethod(method)
    except ValueError as exc:
        allowed = ", ".join(m.value for m in MembershipMethod)
        raise InvalidInput("method", f"{method!r} is not one of {allowed}") from exc


def _group_change(group: Group, field: str, old: object, new: object) -> Change:
    return Change(None, "group", group.id, field, old, new)


def create_group(session: Session, name: str, description: str = "", *, actor: str) -> Group:
    name = valid_group_name(name)
    if repository.name_taken(session, name):
        raise Conflict(f"a group named {name!r} already exists")
    group = Group(name=name, description=description, created_at=utcnow())
    session.add(group)
    session.flush()
    changelog.record_change(session, _group_change(group, changelog.CREATED, None, name), actor)
    return group


def get_group(session: Session, group_id: int) -> Group:
    group = repository.get(session, group_id)
    if group is None:
        raise NotFound("group", group_id)
    return group


def list_groups(session: Session) -> list[GroupOut]:
    return [
        GroupOut.model_validate(group).model_copy(update={"member_count": count})
        for group, count in repository.all_with_member_counts(session)
    ]


def rename_group(session: Session, group_id: int, name: str, *, actor: str) -> Group:
    group = get_group(session, group_id)
    name = valid_group_name(name)
    if name != group.name and repository.name_taken(session, name):
        raise Conflict(f"a group named {name!r} already exists")
    changelog.apply_and_record(session, group, {"name": name}, contact_id=None, entity="group", actor=actor)
    session.flush()
    return group


DELETED_REASON = "The group was deleted"


def delete_group(session: Session, group_id: int, *, actor: str) -> None:
    """The group leaves every list, its current members leave it (a past group saying so, with the date),
    and every past membership stays on the contacts: the row is kept, under a name that frees its own."""
    group = get_group(session, group_id)
    now = utcnow()
    remove_from_group(
        session,
        group.id,
        group_member_ids(session, group.id),
        method="user",
        actor=actor,
        reason=DELETED_REASON,
    )
    changelog.record_change(session, _group_change(group, changelog.DELETED, group.name, None), actor)
    group.name = _retired_name(session, group, now)
    group.deleted_at = now
    session.flush()


def _retired_name(session: Session, group: Group, now: datetime) -> str:
    """Like "Volunteers (deleted 2026-12-05)": the history reads right, and a new "Volunteers" may be made."""
    name = f"{group.name[:160]} (deleted {now.date().isoformat()})"
    return name if not repository.name_taken(session, name) else f"{name} #{group.id}"


def group_member_ids(session: Session, group_id: int) -> list[int]:
    """Every contact in the group now, ascending."""
    return repository.all_current_member_ids(session, group_id)


def member_ids_query(session: Session, group_id: int) -> Select[int]:
    """The group's members now, as a query of their ids (an export streams them)."""
    get_group(session, group_id)
    return repository.current_member_ids_query(group_id)


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _status_changes(rows: list[tuple[int, int]], old: str | None, new: str) -> list[Change]:
    return [
        Change(contact_id, "membership", membership_id, "status", old, new)
        for membership_id, contact_id in rows
    ]


def add_to_group(
    session: Session, group_id: int, contact_ids: Iterable[int], *, method: MembershipMethod | str, actor: str
) -> AddResult:
    group = get_group(session, group_id)
    how = _membership_method(method)
    result = AddResult(added=[], already_members=[], unknown=[])
    now = utcnow()
    for chunk in repository.chunks(_unique(contact_ids)):
        known = repository.existing_contact_ids(session, chunk)
        current = repository.current_member_ids(session, group.id, chunk)
        new = [(group.id, i) for i in chunk if i in known and i not in current]
        inserted = repository.insert_memberships(session, new, how, now)
        changelog.record_changes(session, _status_changes(inserted, None, MembershipStatus.added), actor)
        result.added.extend(contact_id for _, contact_id in new)
        result.already_members.extend(i for i in chunk if i in current)
        result.unknown.extend(i for i in chunk if i not in known)
    return result


def remove_from_group(
    session: Session,
    group_id: int,
    contact_ids: Iterable[int],
    *,
    method: MembershipMethod | str,
    actor: str,
    reason: str = "",
) -> RemoveResult:
    group = get_group(session, group_id)
    how = _membership_method(method)
    result = RemoveResult(removed=[], not_members=[], unknown=[])
    now = utcnow()
    for chunk in repository.chunks(_unique(contact_ids)):
        known = repository.existing_contact_ids(session, chunk)
        ended = repository.mark_removed(session, group.id, chunk, method=how, reason=reason[:200], now=now)
        changes = _status_changes(ended, MembershipStatus.added, MembershipStatus.removed)
        changelog.record_changes(session, changes, actor)
        removed = {contact_id for _, contact_id in ended}
        result.removed.extend(i for i in chunk if i in removed)
        result.not_members.extend(i for i in chunk if i in known and i not in removed)
        result.unknown.extend(i for i in chunk if i not in known)
    return result


def _require_membership(session: Session, membership_id: int) -> GroupMembership:
    membership = repository.get_membership(session, membership_id)
    if membership is None:
        raise NotFound("membership", membership_id)
    return membership


def rejoin_group(
    session: Session, membership_id: int, *, method: MembershipMethod | str, actor: str
) -> GroupMembership:
    """Put a contact back into the group of a past membership, as a new stint (the old row stays)."""
    past = _require_membership(session, membership_id)
    get_group(session, past.group_id)  # a deleted group cannot be rejoined (NotFound)
    how = _membership_method(method)
    if repository.current_member_ids(session, past.group_id, [past.contact_id]):
        raise Conflict(f"contact {past.contact_id} is already a current member of group {past.group_id}")
    now = utcnow()
    membership = GroupMembership(
        group_id=past.group_id,
        contact_id=past.contact_id,
        status=MembershipStatus.added,
        method=how,
        added_at=now,
        updated_at=now,
    )
    session.add(membership)
    session.flush()
    rejoined = Change(past.contact_id, "membership", membership.id, "status", None, MembershipStatus.added)
    changelog.record_change(session, rejoined, actor)
    return membership


def delete_past_membership(session: Session, membership_id: int, actor: str) -> None:
    membership = _require_membership(session, membership_id)
    if membership.status == MembershipStatus.added:
        raise Conflict(f"membership {membership_id} is current; remove the contact from the group first")
    deleted = Change(
        membership.contact_id, "membership", membership.id, changelog.DELETED, membership.group.name, None
    )
    changelog.record_change(session, deleted, actor)
    session.delete(membership)
    session.flush()


def _view(membership: GroupMembership, group: Group) -> MembershipView:
    return MembershipView(
        membership_id=membership.id,
        group_id=membership.group_id,
        group_name=group.name,
        group_deleted=group.deleted_at is not None,
        contact_id=membership.contact_id,
        status=membership.status,
        method=membership.method,
        added_at=membership.added_at,
        removed_at=membership.removed_at,
        removed_method=membership.removed_method,
        removed_reason=membership.removed_reason,
    )


def contact_groups(session: Session, contact_id: int) -> ContactGroups:
    if not repository.existing_contact_ids(session, [contact_id]):
        raise NotFound("contact", contact_id)
    views = [_view(m, group) for m, group in repository.for_contact(session, contact_id)]
    return ContactGroups(
        current=[v for v in views if v.status == MembershipStatus.added],
        past=[v for v in views if v.status == MembershipStatus.removed],
    )


def group_members(
    session: Session, group_id: int, *, limit: int = 100, offset: int = 0
) -> tuple[list[MemberView], int]:
    group = get_group(session, group_id)
    rows, total = repository.current_members(session, group.id, limit=limit, offset=offset)
    members = [
        MemberView(
            membership_id=m.id,
            contact_id=c.id,
            display_name=c.display_name,
            method=m.method,
            added_at=m.added_at,
        )
        for m, c in rows
    ]
    return members, total
