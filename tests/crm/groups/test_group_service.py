"""Groups and memberships with history: remove keeps a past group, rejoin adds a new stint."""

from __future__ import annotations

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from constituent.crm.activities.changelog import changes_for_contact
from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.models import Contact
from constituent.crm.contacts.schemas import ContactCreate
from constituent.crm.errors import Conflict, InvalidInput, NotFound
from constituent.crm.groups import service
from constituent.crm.groups.models import Group, GroupMembership, MembershipStatus
from constituent.kit.clock import utcnow

ACTOR = "user:alice@example.org"


def _contact(session: Session, name: str = "Ann") -> int:
    return contacts.create_contact(session, ContactCreate(first_name=name), ACTOR).id


def _group_with(session: Session, contact_id: int) -> Group:
    group = service.create_group(session, "Volunteers", actor=ACTOR)
    service.add_to_group(session, group.id, [contact_id], method="user", actor=ACTOR)
    return group


def test_adding_reports_added_already_members_and_unknown_ids(session: Session) -> None:
    ann, bo = _contact(session), _contact(session, "Bo")
    group = _group_with(session, ann)

    result = service.add_to_group(session, group.id, [ann, bo, 9999, bo], method="api", actor=ACTOR)

    assert (result.added, result.already_members, result.unknown) == ([bo], [ann], [9999])


def test_removing_a_member_keeps_a_past_group(session: Session) -> None:
    ann = _contact(session)
    group = _group_with(session, ann)

    result = service.remove_from_group(session, group.id, [ann], method="user", actor=ACTOR, reason="moved")

    groups = service.contact_groups(session, ann)
    assert result.removed == [ann]
    assert groups.current == []
    [past] = groups.past
    assert (past.group_name, past.status, past.removed_reason) == ("Volunteers", "removed", "moved")
    assert past.removed_at is not None and past.removed_at >= past.added_at


def test_removing_someone_not_in_the_group_reports_them(session: Session) -> None:
    ann, bo = _contact(session), _contact(session, "Bo")
    group = _group_with(session, ann)

    result = service.remove_from_group(session, group.id, [bo, 4242], method="user", actor=ACTOR)

    assert (result.removed, result.not_members, result.unknown) == ([], [bo], [4242])


def test_a_membership_removed_by_the_api_reads_removed_by_api(session: Session) -> None:
    ann = _contact(session)
    group = _group_with(session, ann)

    service.remove_from_group(
        session, group.id, [ann], method="api", actor="Mailchimp", reason="unsubscribed"
    )

    assert service.contact_groups(session, ann).past[0].label == "Removed (by API)"
    assert service.contact_groups(session, ann).past[0].method == "user"


def test_rejoining_adds_a_new_membership_and_keeps_the_old_one(session: Session) -> None:
    ann = _contact(session)
    group = _group_with(session, ann)
    service.remove_from_group(session, group.id, [ann], method="api", actor=ACTOR)
    past_id = service.contact_groups(session, ann).past[0].membership_id

    rejoined = service.rejoin_group(session, past_id, method="user", actor=ACTOR)

    groups = service.contact_groups(session, ann)
    assert [g.membership_id for g in groups.current] == [rejoined.id]
    assert [g.membership_id for g in groups.past] == [past_id]
    assert groups.current[0].label == "Added (by User)"


def test_rejoining_while_still_a_member_is_a_conflict(session: Session) -> None:
    ann = _contact(session)
    group = _group_with(session, ann)
    current_id = service.contact_groups(session, ann).current[0].membership_id
    with pytest.raises(Conflict, match="already a current member"):
        service.rejoin_group(session, current_id, method="user", actor=ACTOR)
    assert group.id


def test_a_past_membership_can_be_deleted_but_a_current_one_cannot(session: Session) -> None:
    ann = _contact(session)
    group = _group_with(session, ann)
    current_id = service.contact_groups(session, ann).current[0].membership_id
    with pytest.raises(Conflict, match="is current"):
        service.delete_past_membership(session, current_id, ACTOR)

    service.remove_from_group(session, group.id, [ann], method="user", actor=ACTOR)
    service.delete_past_membership(session, current_id, ACTOR)

    assert service.contact_groups(session, ann).past == []


def test_membership_changes_bump_updated_at_and_write_the_change_log(session: Session) -> None:
    ann = _contact(session)
    group = _group_with(session, ann)
    membership = session.scalars(select(GroupMembership)).one()
    added_updated_at = membership.updated_at

    service.remove_from_group(session, group.id, [ann], method="user", actor="import")
    session.refresh(membership)

    assert membership.updated_at > added_updated_at
    log = [(e.entity, e.old_value, e.new_value, e.changed_by) for e in changes_for_contact(session, ann)]
    assert ("membership", "added", "removed", "import") in log
    assert ("membership", None, "added", ACTOR) in log


def test_group_names_are_unique_and_may_not_hold_a_semicolon(session: Session) -> None:
    service.create_group(session, "Donors", actor=ACTOR)
    with pytest.raises(Conflict):
        service.create_group(session, " Donors ", actor=ACTOR)
    with pytest.raises(InvalidInput) as error:
        service.create_group(session, "A;B", actor=ACTOR)
    assert error.value.field == "name"


def test_renaming_and_listing_groups_with_their_member_counts(session: Session) -> None:
    ann = _contact(session)
    group = _group_with(session, ann)
    service.create_group(session, "Alpha", actor=ACTOR)

    service.rename_group(session, group.id, "Volunteers 2026", actor=ACTOR)

    assert [(g.name, g.member_count) for g in service.list_groups(session)] == [
        ("Alpha", 0),
        ("Volunteers 2026", 1),
    ]


def test_deleting_a_group_keeps_every_membership_as_a_past_group_on_the_contacts(session: Session) -> None:
    """Issue 14: a deleted group's history stays on the contacts (it used to be erased with the group)."""
    ann, bo = _contact(session), _contact(session, "Bo")
    group = _group_with(session, ann)
    service.add_to_group(session, group.id, [bo], method="user", actor=ACTOR)
    service.remove_from_group(session, group.id, [bo], method="api", actor=ACTOR, reason="Removed (by API)")

    service.delete_group(session, group.id, actor=ACTOR)

    [ann_past] = service.contact_groups(session, ann).past
    [bo_past] = service.contact_groups(session, bo).past
    assert ann_past.removed_reason == service.DELETED_REASON and ann_past.removed_at is not None
    assert ann_past.group_name.startswith("Volunteers (deleted ")
    assert bo_past.removed_reason == "Removed (by API)"  # how it ended before is kept as it was
    assert service.contact_groups(session, ann).current == []
    assert [g.name for g in service.list_groups(session)] == []
    with pytest.raises(NotFound):
        service.get_group(session, group.id)
    with pytest.raises(NotFound):
        service.rejoin_group(session, ann_past.membership_id, method="user", actor=ACTOR)
    assert service.create_group(session, "Volunteers", actor=ACTOR).id != group.id  # the name is free again


def test_group_members_lists_current_members_only(session: Session) -> None:
    ann, bo = _contact(session), _contact(session, "Bo")
    group = _group_with(session, ann)
    service.add_to_group(session, group.id, [bo], method="user", actor=ACTOR)
    service.remove_from_group(session, group.id, [ann], method="user", actor=ACTOR)

    members, total = service.group_members(session, group.id)

    assert ([m.display_name for m in members], total) == (["Bo"], 1)


@pytest.mark.slow
def test_bulk_add_and_remove_of_many_contacts_take_a_few_queries_not_one_per_id(session: Session) -> None:
    now = utcnow()
    rows = [
        {"kind": "individual", "first_name": f"P{i}", "created_at": now, "updated_at": now}
        for i in range(12000)
    ]
    session.execute(insert(Contact), rows)
    ids = list(session.scalars(select(Contact.id)))
    group = service.create_group(session, "Everyone", actor=ACTOR)
    statements: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *args: statements.append(args[2]))

    added = service.add_to_group(session, group.id, ids, method="import", actor="import")
    removed = service.remove_from_group(session, group.id, ids, method="user", actor=ACTOR)

    assert len(added.added) == len(removed.removed) == 12000
    assert session.scalars(select(GroupMembership.status).distinct()).all() == [MembershipStatus.removed]
    assert len(statements) < 40
