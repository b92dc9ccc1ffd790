"""The desired state built from the CRM: who is a member, with which fields, tags and interests."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.models import ContactKind, EmailStatus
from constituent.integrations.mailchimp.models import InitialSync, SourceTarget, SyncMode
from constituent.integrations.mailchimp.sync.desired import build_desired
from constituent.integrations.mailchimp.sync.merge_values import remote_interests, remote_merge_fields
from constituent.integrations.mailchimp.sync.types import fingerprint
from tests.crm.searches.helpers import add_email, add_gift, add_group, add_member, at
from tests.integrations.mailchimp.sync.desired_helpers import (
    add_integration,
    add_person,
    add_search,
    add_source,
    member_of,
    owners,
)

TODAY = date(2026, 3, 15)
QUICK_LIST_TAGS = {"Donors", "Lapsed donors", "Major donors", "New contacts", "Recent donors"}


def test_only_active_living_emailable_individuals_with_a_good_primary_email_are_members(
    session: Session,
) -> None:
    member = add_person(session, "ada@mailbox.org")
    add_person(session, "org@mailbox.org", kind=ContactKind.organization, organization_name="Acme")
    add_person(session, "vendor@mailbox.org", kind=ContactKind.vendor, organization_name="Print Co")
    add_person(session, "gone@mailbox.org", is_active=False)
    add_person(session, "late@mailbox.org", is_deceased=True)
    add_person(session, "quiet@mailbox.org", do_not_email=True)
    bounced = add_person(session, None)
    add_email(session, bounced, "bounced@mailbox.org", primary=True).status = EmailStatus.bounced
    secondary_only = add_person(session, None)
    add_email(session, secondary_only, "second@mailbox.org", primary=False)
    add_person(session, None)
    integration = add_integration(session)

    result = build_desired(session, integration, TODAY)

    assert owners(result) == {member.id}
    assert [m.email for m in result.members.values()] == ["ada@mailbox.org"]


def test_merge_fields_carry_names_phone_and_a_complete_address(session: Session) -> None:
    full = add_person(
        session,
        " Ada@Mailbox.org",
        first_name=" Ada ",
        last_name="Lovelace",
        phone="555-0100",
        street="1 Main St",
        city="Springfield",
        state="IL",
        postal_code="62701",
    )
    partial = add_person(session, "bob@mailbox.org", first_name="Bob", street="2 Side St", city="Springfield")
    integration = add_integration(session)

    result = build_desired(session, integration, TODAY)

    ada = member_of(result, full)
    assert ada.email == "Ada@Mailbox.org"
    assert ada.subscriber_hash == subscriber_hash("ada@mailbox.org")
    assert ada.merge_fields == {
        "FNAME": "Ada",
        "LNAME": "Lovelace",
        "ADDRESS": {
            "addr1": "1 Main St",
            "addr2": "",
            "city": "Springfield",
            "state": "IL",
            "zip": "62701",
            "country": "US",
        },
        "PHONE": "555-0100",
    }
    # Mailchimp refuses an address without state and zip: none is sent rather than the member refused.
    assert member_of(result, partial).merge_fields == {
        "FNAME": "Bob",
        "LNAME": "",
        "ADDRESS": "",
        "PHONE": "",
    }


def test_mailchimps_copy_of_an_unchanged_member_has_the_same_fingerprint(session: Session) -> None:
    contact = add_person(
        session,
        "ada@mailbox.org",
        first_name="Ada",
        street="1 Main St",
        city="X",
        state="IL",
        postal_code="1",
    )
    group = add_group(session, "Volunteers")
    add_member(session, group, contact)
    integration = add_integration(session)
    add_source(session, integration, group, SourceTarget.interest, interest_id="int1")
    member = member_of(build_desired(session, integration, TODAY), contact)
    # As Mailchimp returns it: every list field present, other fields and interests of others included.
    remote = {
        "FNAME": "Ada",
        "LNAME": "",
        "ADDRESS": {
            "addr1": "1 Main St",
            "addr2": "",
            "city": "X",
            "state": "IL",
            "zip": "1",
            "country": "US",
        },
        "PHONE": "",
        "BIRTHDAY": "",
    }
    interests = remote_interests({"int1": True, "someone_elses": False}, ["int1"])

    assert fingerprint("ada@mailbox.org", remote_merge_fields(remote), interests) == member.fingerprint


def test_groups_mode_takes_current_members_of_the_chosen_groups_and_searches(session: Session) -> None:
    in_group = add_person(session, "a@mailbox.org")
    past_member = add_person(session, "b@mailbox.org")
    in_search = add_person(session, "c@mailbox.org", city="Springfield")
    outsider = add_person(session, "d@mailbox.org")
    group = add_group(session, "Volunteers")
    add_member(session, group, in_group)
    add_member(session, group, past_member, current=False)
    search = add_search(session, "Springfield", {"field": "city", "op": "eq", "value": "Springfield"})
    integration = add_integration(session, mode=SyncMode.groups)
    add_source(session, integration, group, SourceTarget.membership)
    add_source(session, integration, search, SourceTarget.membership)

    result = build_desired(session, integration, TODAY)

    assert owners(result) == {in_group.id, in_search.id}
    assert outsider.id not in owners(result)


def test_groups_mode_without_membership_sources_has_an_empty_audience(session: Session) -> None:
    add_person(session, "a@mailbox.org")
    integration = add_integration(session, mode=SyncMode.groups)

    assert build_desired(session, integration, TODAY).members == {}


def test_new_only_in_groups_mode_skips_memberships_older_than_the_integration(session: Session) -> None:
    already_there = add_person(session, "old@mailbox.org")
    joined_later = add_person(session, "new@mailbox.org")
    created_later = add_person(session, "fresh@mailbox.org", created_at="2026-03-05", city="Springfield")
    created_before = add_person(session, "before@mailbox.org", city="Springfield")
    group = add_group(session, "Volunteers")
    add_member(session, group, already_there).added_at = at("2026-02-01")
    add_member(session, group, joined_later).added_at = at("2026-03-02")
    search = add_search(session, "Springfield", {"field": "city", "op": "eq", "value": "Springfield"})
    integration = add_integration(session, mode=SyncMode.groups, initial_sync=InitialSync.new_only)
    add_source(session, integration, group, SourceTarget.membership)
    add_source(session, integration, search, SourceTarget.membership)

    result = build_desired(session, integration, TODAY)

    assert owners(result) == {joined_later.id, created_later.id}
    assert {already_there.id, created_before.id}.isdisjoint(owners(result))


def test_new_only_in_all_mode_skips_contacts_created_before_the_integration(session: Session) -> None:
    add_person(session, "old@mailbox.org", created_at="2026-02-28")
    newer = add_person(session, "new@mailbox.org", created_at="2026-03-02")
    integration = add_integration(session, initial_sync=InitialSync.new_only)

    assert owners(build_desired(session, integration, TODAY)) == {newer.id}


def test_every_search_and_quick_list_is_a_tag_with_the_prefix(session: Session) -> None:
    donor = add_person(session, "donor@mailbox.org", city="Springfield")
    add_gift(session, donor, "25", "2026-03-01")
    other = add_person(session, "other@mailbox.org")
    add_search(session, "Springfield", {"field": "city", "op": "eq", "value": "Springfield"})
    integration = add_integration(session, tag_prefix="CRM: ")

    result = build_desired(session, integration, TODAY)

    assert result.owned_tags == {f"CRM: {name}" for name in QUICK_LIST_TAGS | {"Springfield"}}
    assert member_of(result, donor).tags == {"CRM: Springfield", "CRM: Donors", "CRM: Recent donors"}
    assert member_of(result, other).tags == frozenset()


def test_a_search_switched_off_is_no_tag_and_a_renamed_one_uses_its_new_name(session: Session) -> None:
    contact = add_person(session, "a@mailbox.org", city="Springfield", state="IL")
    off = add_search(session, "Springfield", {"field": "city", "op": "eq", "value": "Springfield"})
    renamed = add_search(session, "Illinois", {"field": "state", "op": "eq", "value": "IL"})
    integration = add_integration(session, tag_prefix="crm-")
    add_source(session, integration, off, SourceTarget.tag, enabled=False)
    add_source(session, integration, renamed, SourceTarget.tag, remote_name="Land of Lincoln")

    result = build_desired(session, integration, TODAY)

    assert member_of(result, contact).tags == {"crm-Land of Lincoln"}
    assert "crm-Springfield" not in result.owned_tags and "crm-Illinois" not in result.owned_tags


def test_groups_chosen_as_tags_and_interests_mark_their_current_members(session: Session) -> None:
    volunteer = add_person(session, "v@mailbox.org")
    board = add_person(session, "b@mailbox.org")
    volunteers, board_group, press = (
        add_group(session, "Volunteers"),
        add_group(session, "Board"),
        add_group(session, "Press"),
    )
    add_member(session, volunteers, volunteer)
    add_member(session, board_group, board)
    integration = add_integration(session)
    add_source(session, integration, volunteers, SourceTarget.tag)
    add_source(session, integration, volunteers, SourceTarget.interest, interest_id="i-vol")
    add_source(session, integration, board_group, SourceTarget.interest, interest_id="i-board")
    add_source(session, integration, press, SourceTarget.interest)

    result = build_desired(session, integration, TODAY)

    assert "Volunteers" in result.owned_tags and member_of(result, volunteer).tags == {"Volunteers"}
    assert member_of(result, volunteer).interests == {"i-board": False, "i-vol": True}
    assert member_of(result, board).interests == {"i-board": True, "i-vol": False}
    assert result.managed_interests == ("i-board", "i-vol")
    assert [n.kind for n in result.notices] == ["interest_missing"]
    assert "'Press'" in result.notices[0].message


def test_a_shared_address_is_one_member_owned_by_the_lowest_contact_id(session: Session) -> None:
    group = add_group(session, "Volunteers")
    first = add_person(session, "Home@Mailbox.org", first_name="Ann")
    second = add_person(session, "home@mailbox.org", first_name="Ben", city="Springfield")
    third = add_person(session, "HOME@mailbox.org", first_name="Cy")
    add_member(session, group, third)
    add_search(session, "Springfield", {"field": "city", "op": "eq", "value": "Springfield"})
    integration = add_integration(session)
    add_source(session, integration, group, SourceTarget.interest, interest_id="i-vol")

    result = build_desired(session, integration, TODAY)

    [member] = result.members.values()
    assert member.owner_contact_id == first.id and member.contact_ids == (first.id, second.id, third.id)
    assert member.email == "Home@Mailbox.org" and member.merge_fields["FNAME"] == "Ann"
    assert member.tags == {"Springfield"} and member.interests == {"i-vol": True}
    [notice] = result.notices
    shared = "3 contacts share Home@Mailbox.org"
    assert notice.message == f"{shared}; contact {first.id}'s details are used (the most complete)"
    assert notice.contact_ids == (first.id, second.id, third.id)


def test_a_restricted_build_reads_only_those_contacts_and_whoever_shares_their_address(
    session: Session,
) -> None:
    owner = add_person(session, "shared@mailbox.org", first_name="Owner")
    changed = add_person(session, "shared@mailbox.org", first_name="Changed")
    add_person(session, "untouched@mailbox.org")
    moved_away_from = add_person(session, "old@mailbox.org")
    integration = add_integration(session)

    result = build_desired(session, integration, TODAY, {changed.id}, also_addresses=["OLD@mailbox.org"])

    assert owners(result) == {owner.id, moved_away_from.id}
    assert member_of(result, changed).contact_ids == (owner.id, changed.id)


def test_an_empty_restriction_builds_nothing(session: Session) -> None:
    add_person(session, "a@mailbox.org")
    integration = add_integration(session)

    assert build_desired(session, integration, TODAY, set()).members == {}
