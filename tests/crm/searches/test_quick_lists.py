"""The built-in quick lists: present in every database, and moving with the day they are run."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from constituent.crm.organization.models import OrganizationSettings
from constituent.crm.searches import service
from constituent.crm.searches.quick_lists import QUICK_LISTS, ensure_quick_lists
from constituent.crm.searches.schemas import SavedSearchCreate
from tests.crm.searches.helpers import add_contact, add_gift

TODAY = date(2026, 3, 15)


def members(session: Session, key: str, today: date = TODAY) -> set[int]:
    search = next(s for s in service.list_searches(session, today=today) if s.quick_list == key)
    return set(service.run_search(session, search.id, today).contact_ids)


def test_every_database_gets_the_five_quick_lists_once(session: Session) -> None:
    first = service.list_searches(session, today=TODAY)
    again = service.list_searches(session, today=TODAY)
    assert [s.name for s in first] == [
        "Donors",
        "Lapsed donors",
        "Major donors",
        "New contacts",
        "Recent donors",
    ]
    assert [s.id for s in again] == [s.id for s in first]
    assert {s.quick_list for s in first} == set(QUICK_LISTS)


def test_a_search_of_ones_own_keeps_its_name_beside_the_quick_list(session: Session) -> None:
    mine = service.create_search(session, SavedSearchCreate(name="Donors", filter={"all": []}))
    ensure_quick_lists(session, TODAY)
    names = {s.name: s.quick_list for s in service.list_searches(session, today=TODAY)}
    assert names["Donors"] is None and mine.name == "Donors"
    assert names["Donors (quick list)"] == "donors"


def test_new_contacts_are_those_created_in_the_last_30_days(session: Session) -> None:
    add_contact(session, first_name="Old", created_at="2026-02-12")
    edge = add_contact(session, first_name="Edge", created_at="2026-02-13")
    new = add_contact(session, first_name="New", created_at="2026-03-15")
    assert members(session, "new_contacts") == {edge.id, new.id}


def test_donors_recent_and_lapsed_donors_follow_the_calendar(session: Session) -> None:
    never = add_contact(session, first_name="Never")
    lapsed = add_contact(session, first_name="Lapsed")
    loyal = add_contact(session, first_name="Loyal")
    recent = add_contact(session, first_name="Recent")
    add_gift(session, lapsed, "20", "2025-12-31")
    add_gift(session, loyal, "20", "2025-05-01")
    add_gift(session, loyal, "20", "2026-01-01")
    add_gift(session, recent, "20", "2025-12-15")
    add_gift(session, recent, "20", "2024-01-01")

    assert never.id not in members(session, "donors")
    assert members(session, "donors") == {lapsed.id, loyal.id, recent.id}
    assert members(session, "recent_donors") == {lapsed.id, loyal.id, recent.id}
    assert members(session, "lapsed_donors") == {lapsed.id, recent.id}
    # A year later nobody gave in 2026's "last year" except loyal, who has not given in 2027.
    assert members(session, "lapsed_donors", date(2027, 2, 1)) == {loyal.id}
    assert members(session, "recent_donors", date(2027, 2, 1)) == set()


def test_major_donors_follow_the_threshold_in_organization_settings(session: Session) -> None:
    big = add_contact(session, first_name="Big")
    mid = add_contact(session, first_name="Mid")
    add_gift(session, big, "600", "2024-01-01")
    add_gift(session, big, "400", "2025-01-01")
    add_gift(session, mid, "500", "2025-01-01")
    assert members(session, "major_donors") == {big.id}

    session.add(OrganizationSettings(major_donor_threshold=Decimal("500")))
    session.flush()

    assert members(session, "major_donors") == {big.id, mid.id}
