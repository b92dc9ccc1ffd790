"""Which contacts an incremental run must look at, and what it must compare in full with the ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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
from constituent.integrations.mailchimp.sync.desired import build_desired, incremental_candidates
from constituent.kit.clock import utcnow
from tests.crm.searches.helpers import add_email, add_gift, add_group, add_member, at
from tests.integrations.mailchimp.sync.desired_helpers import add_integration, add_person, add_source

TODAY = date(2026, 3, 15)
LONG_AGO = at("2025-06-01")
QUICK_LIST_TAGS = {"Donors", "Lapsed donors", "Major donors", "New contacts", "Recent donors"}


def add_search(session: Session, name: str, raw_filter: dict[str, object]) -> SavedSearch:
    search = SavedSearch(name=name, filter=raw_filter, created_at=LONG_AGO, updated_at=LONG_AGO)
    session.add(search)
    session.flush()
    return search


def quick_lists_made_long_ago(session: Session) -> None:
    for search in ensure_quick_lists(session, TODAY):
        search.created_at = search.updated_at = LONG_AGO
    session.flush()


def test_a_database_where_nothing_changed_has_no_candidates_and_evaluates_no_search(session: Session) -> None:
    add_person(session, "a@example.org", city="Springfield", created_at="2026-03-10")
    add_search(session, "Joined lately", {"field": "created_at", "op": "gte", "value": {"days_ago": 7}})
    integration = add_integration(session)
    config = build_desired(session, integration, TODAY).config
    since = utcnow()

    found = incremental_candidates(session, integration, since, since.date(), last_config=config)

    assert found.contact_ids == frozenset() and not found.needs_full and found.audience is None
    # On the same day, even searches reading the calendar have the members they had at ``since``.
    assert found.tag_members == {}
    assert found.with_drift({}) == set()


def test_a_new_day_compares_the_searches_that_read_the_calendar(session: Session) -> None:
    recent = add_person(session, "recent@example.org", created_at="2026-03-10")
    add_person(session, "older@example.org", created_at="2026-01-10")
    add_search(session, "Joined lately", {"field": "created_at", "op": "gte", "value": {"days_ago": 7}})
    add_search(session, "Joined 2026", {"field": "created_at", "op": "gte", "value": "2026-01-01"})
    quick_lists_made_long_ago(session)
    integration = add_integration(session)

    found = incremental_candidates(session, integration, at("2026-03-14"), TODAY)

    assert set(found.tag_members) == {"Joined lately", "New contacts", "Recent donors"}
    assert found.tag_members["Joined lately"] == {recent.id}


def test_a_new_year_moves_lapsed_donors_and_a_settings_change_moves_every_quick_list(
    session: Session,
) -> None:
    quick_lists_made_long_ago(session)
    integration = add_integration(session)

    new_year = incremental_candidates(session, integration, at("2025-12-31"), date(2026, 1, 1))
    session.add(OrganizationSettings(major_donor_threshold=Decimal("500")))
    session.flush()
    after_settings = incremental_candidates(session, integration, at("2026-03-15"), TODAY)

    assert "Lapsed donors" in new_year.tag_members and "Donors" not in new_year.tag_members
    assert set(after_settings.tag_members) == QUICK_LIST_TAGS


def test_each_kind_of_row_change_makes_its_contact_a_candidate(session: Session) -> None:
    renamed, bounced, joined, gave, lost_email, untouched = (
        add_person(session, f"{name}@example.org")
        for name in ("renamed", "bounced", "joined", "gave", "lost", "untouched")
    )
    spare = add_email(session, lost_email, "spare@example.org")
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
    donor = add_person(session, "donor@example.org")
    gift = add_gift(session, donor, "10", "2026-01-01")
    integration = add_integration(session)
    since = utcnow()

    contributions.delete_contribution(session, gift.id, actor="test")

    assert incremental_candidates(session, integration, since, TODAY).contact_ids == {donor.id}


def test_a_compared_search_counts_only_contacts_that_can_be_members(session: Session) -> None:
    recent = add_person(session, "recent@example.org", created_at="2026-03-10")
    add_person(session, "gone@example.org", created_at="2026-03-10", is_active=False)
    add_search(session, "Joined lately", {"field": "created_at", "op": "gte", "value": {"days_ago": 7}})
    integration = add_integration(session, tag_prefix="crm-")

    found = incremental_candidates(session, integration, at("2026-03-14"), TODAY)

    assert found.tag_members["crm-Joined lately"] == {recent.id}


def test_drift_is_whoever_the_ledger_shows_with_a_different_tag_set(session: Session) -> None:
    entered = add_person(session, "entered@example.org", created_at="2026-03-10")
    stays = add_person(session, "stays@example.org", created_at="2026-03-12")
    left = add_person(session, "left@example.org", created_at="2026-01-02")
    add_search(session, "Joined lately", {"field": "created_at", "op": "gte", "value": {"days_ago": 7}})
    integration = add_integration(session)
    found = incremental_candidates(session, integration, at("2026-03-14"), TODAY)
    ledger = {tag: set(members) for tag, members in found.tag_members.items()}
    ledger["Joined lately"] = {stays.id, left.id}
    assert found.contact_ids == frozenset()

    assert found.with_drift(ledger) == {entered.id, left.id}


def test_a_redefined_search_is_compared_in_full(session: Session) -> None:
    match = add_person(session, "a@example.org", city="Shelbyville")
    search = add_search(session, "Town", {"field": "city", "op": "eq", "value": "Springfield"})
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
    donor = add_person(session, "donor@example.org")
    add_gift(session, donor, "10", "2026-03-01").updated_at = LONG_AGO
    add_person(session, "other@example.org")
    lately = add_search(
        session, "Gave lately", {"field": "last_gift_date", "op": "gte", "value": {"days_ago": 30}}
    )
    group = add_group(session, "Volunteers")
    volunteer = add_person(session, "volunteer@example.org")
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
