"""Which contacts an incremental run must look at, and what it must compare in full with the ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.models import EmailStatus
from constituent.crm.contributions import service as contributions
from constituent.crm.contributions.models import Contribution
from constituent.crm.groups.models import GroupMembership
from constituent.crm.organization.models import OrganizationSettings
from constituent.crm.searches.models import SavedSearch
from constituent.crm.searches.quick_lists import ensure_quick_lists
from constituent.integrations.mailchimp.models import SourceTarget, SyncMode
from constituent.integrations.mailchimp.sync.candidates import Clock, Movement, movement
from constituent.integrations.mailchimp.sync.desired import build_desired, incremental_candidates
from constituent.kit.clock import utcnow
from tests.crm.searches.helpers import add_email, add_gift, add_group, add_member, at
from tests.integrations.mailchimp.sync.desired_helpers import (
    add_integration,
    add_person,
    add_search,
    add_source,
)

TODAY = date(2026, 3, 15)
LONG_AGO = at("2025-06-01")
QUICK_LIST_TAGS = {"Donors", "Lapsed donors", "Major donors", "New contacts", "Recent donors"}


def add_old_search(session: Session, name: str, raw_filter: dict[str, object]) -> SavedSearch:
    return add_search(session, name, raw_filter, stamped=LONG_AGO)


def quick_lists_made_long_ago(session: Session) -> None:
    for search in ensure_quick_lists(session, TODAY):
        search.created_at = search.updated_at = LONG_AGO
    session.flush()


def test_a_database_where_nothing_changed_has_no_candidates_and_evaluates_no_search(session: Session) -> None:
    add_person(session, "a@mailbox.org", city="Springfield", created_at="2026-03-10")
    add_old_search(session, "Joined lately", {"field": "created_at", "op": "gte", "value": {"days_ago": 7}})
    integration = add_integration(session)
    config = build_desired(session, integration, TODAY).config
    since = utcnow()

    found = incremental_candidates(session, integration, since, since.date(), last_config=config)

    assert found.contact_ids == frozenset() and not found.needs_full and found.audience is None
    # On the same day, even searches reading the calendar have the members they had at ``since``.
    assert found.tag_members == {}
    assert found.with_drift({}) == set()


def test_a_new_day_makes_candidates_of_whoever_crossed_a_calendar_search(session: Session) -> None:
    crossed_out = add_person(session, "out@mailbox.org", created_at="2026-03-07")
    stays_in = add_person(session, "in@mailbox.org", created_at="2026-03-10")
    add_person(session, "older@mailbox.org", created_at="2026-01-10")
    add_person(session, "inactive@mailbox.org", created_at="2026-03-07", is_active=False)
    add_old_search(session, "Joined lately", {"field": "created_at", "op": "gte", "value": {"days_ago": 7}})
    quick_lists_made_long_ago(session)
    integration = add_integration(session)

    found = incremental_candidates(session, integration, at("2026-03-14"), TODAY)

    # Joined lately on the 14th: created since the 7th; on the 15th: since the 8th.
    assert found.contact_ids == {crossed_out.id} and stays_in.id not in found.contact_ids
    assert found.tag_members == {}


def test_which_searches_move_with_the_calendar(session: Session) -> None:
    quick_lists_made_long_ago(session)
    lately = add_old_search(
        session, "Joined lately", {"field": "created_at", "op": "gte", "value": {"days_ago": 7}}
    )
    fixed = add_old_search(
        session, "Joined 2026", {"field": "created_at", "op": "gte", "value": "2026-01-01"}
    )
    quick = {
        s.quick_list: s
        for s in session.scalars(select(SavedSearch).where(SavedSearch.quick_list.is_not(None)))
    }
    same_day = Clock(at("2026-03-15"), TODAY, settings_changed=False)
    next_day = Clock(at("2026-03-14"), TODAY, settings_changed=False)
    new_year = Clock(at("2025-12-31"), date(2026, 1, 1), settings_changed=False)

    assert movement(session, lately, same_day) is Movement.none
    assert movement(session, lately, next_day) is Movement.calendar
    assert movement(session, fixed, next_day) is Movement.none
    assert movement(session, quick["recent_donors"], next_day) is Movement.calendar
    assert movement(session, quick["donors"], next_day) is Movement.none
    assert movement(session, quick["lapsed_donors"], next_day) is Movement.none
    assert movement(session, quick["lapsed_donors"], new_year) is Movement.calendar


def test_a_settings_change_compares_every_quick_list_with_the_ledger(session: Session) -> None:
    quick_lists_made_long_ago(session)
    integration = add_integration(session)
    session.add(OrganizationSettings(major_donor_threshold=Decimal("500")))
    session.flush()

    found = incremental_candidates(session, integration, at("2026-03-15"), TODAY)

    assert set(found.tag_members) == QUICK_LIST_TAGS


def test_each_kind_of_row_change_makes_its_contact_a_candidate(session: Session) -> None:
    renamed, bounced, joined, gave, lost_email, untouched = (
        add_person(session, f"{name}@mailbox.org")
        for name in ("renamed", "bounced", "joined", "gave", "lost", "untouched")
    )
    spare = add_email(session, lost_email, "spare@mailbox.org")
    gift = add_gift(session, gave, "10", "2026-01-01")
    group = add_group(session, "Volunteers")
    integration = add_integration(session)
    since = utcnow()

    renamed.first_name = "Renamed"
    bounced.emails[0].status = EmailStatus.bounced
    session.add(GroupMembership(group_id=group.id, contact_id=joined.id))
    session.get_one(Contribution, gift.id).amount = Decimal("20")
    session.flush()
    contacts.remove_email(session, spare.id, actor="test")

    found = incremental_candidates(session, integration, since, TODAY)

    assert found.contact_ids == {renamed.id, bounced.id, joined.id, gave.id, lost_email.id}
    assert untouched.id not in found.contact_ids


def test_a_deleted_gift_leaves_its_contact_a_candidate_through_the_change_log(session: Session) -> None:
    donor = add_person(session, "donor@mailbox.org")
    gift = add_gift(session, donor, "10", "2026-01-01")
    integration = add_integration(session)
    since = utcnow()

    contributions.delete_contribution(session, gift.id, actor="test")

    assert incremental_candidates(session, integration, since, TODAY).contact_ids == {donor.id}


def test_a_new_search_is_compared_with_the_ledger_for_contacts_that_can_be_members(
    session: Session,
) -> None:
    entered = add_person(session, "entered@mailbox.org", city="Springfield")
    stays = add_person(session, "stays@mailbox.org", city="Springfield")
    left = add_person(session, "left@mailbox.org", city="Shelbyville")
    add_person(session, "gone@mailbox.org", city="Springfield", is_active=False)
    quick_lists_made_long_ago(session)
    integration = add_integration(session, tag_prefix="crm-")
    since = utcnow()
    add_old_search(
        session, "Town", {"field": "city", "op": "eq", "value": "Springfield"}
    ).created_at = utcnow()
    session.flush()

    found = incremental_candidates(session, integration, since, since.date())

    assert found.contact_ids == frozenset()
    assert found.tag_members == {"crm-Town": {entered.id, stays.id}}
    assert found.with_drift({"crm-Town": {stays.id, left.id}}) == {entered.id, left.id}


def test_a_redefined_search_is_compared_in_full(session: Session) -> None:
    match = add_person(session, "a@mailbox.org", city="Shelbyville")
    search = add_old_search(session, "Town", {"field": "city", "op": "eq", "value": "Springfield"})
    integration = add_integration(session)
    since = utcnow()

    search.filter = {"field": "city", "op": "eq", "value": "Shelbyville"}
    session.flush()
    found = incremental_candidates(session, integration, since, TODAY)

    assert found.tag_members["Town"] == {match.id}
    assert found.with_drift({"Town": set()}) >= {match.id}


def test_a_changed_layout_asks_for_a_full_build(session: Session) -> None:
    group = add_group(session, "Volunteers")
    integration = add_integration(session)
    before = build_desired(session, integration, TODAY).config
    since = utcnow()

    assert incremental_candidates(session, integration, since, TODAY, last_config=before).needs_full is False
    add_source(session, integration, group, SourceTarget.tag)
    after = incremental_candidates(session, integration, since, TODAY, last_config=before)
    group.name = "Helpers"
    session.flush()
    renamed = incremental_candidates(session, integration, since, TODAY, last_config=after.config)

    assert after.needs_full and renamed.needs_full
    assert incremental_candidates(session, integration, since, TODAY).needs_full  # nothing known: be safe


def test_a_time_relative_membership_search_compares_the_whole_audience(session: Session) -> None:
    donor = add_person(session, "donor@mailbox.org")
    add_gift(session, donor, "10", "2026-03-01").updated_at = LONG_AGO
    add_person(session, "other@mailbox.org")
    lately = add_old_search(
        session, "Gave lately", {"field": "last_gift_date", "op": "gte", "value": {"days_ago": 30}}
    )
    group = add_group(session, "Volunteers")
    volunteer = add_person(session, "volunteer@mailbox.org")
    add_member(session, group, volunteer).updated_at = LONG_AGO
    integration = add_integration(session, mode=SyncMode.groups)
    add_source(session, integration, lately, SourceTarget.membership)
    add_source(session, integration, group, SourceTarget.membership)

    session.flush()
    found = incremental_candidates(session, integration, at("2026-03-14"), TODAY)

    assert found.contact_ids == frozenset() and found.audience == {donor.id, volunteer.id}
    # The ledger only knows the volunteer: the donor who entered by the calendar becomes a candidate.
    drift = found.with_drift({tag: set(ids) for tag, ids in found.tag_members.items()}, {volunteer.id})
    assert drift == {donor.id}
