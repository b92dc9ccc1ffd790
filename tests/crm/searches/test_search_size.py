"""Saved searches have a documented size limit (issue 13, item 5): beyond it a search is refused when
saved, and one stored before the limit existed is skipped where it would break other work."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from constituent.crm.searches import service
from constituent.crm.searches.filters import MAX_CONDITIONS, MAX_VALUES, FilterError
from constituent.crm.searches.schemas import SavedSearchCreate, SavedSearchUpdate
from tests.crm.searches.helpers import add_contact
from tests.crm.searches.oversized import huge_filter, store_unchecked

TODAY = date(2026, 3, 15)


def test_saving_a_search_beyond_the_limit_is_refused_naming_the_limit(session: Session) -> None:
    with pytest.raises(FilterError) as caught:
        service.create_search(session, SavedSearchCreate(name="Everywhere", filter=huge_filter()))
    assert caught.value.field == "filter"
    assert f"at most {MAX_CONDITIONS} conditions" in caught.value.message
    assert "1000" in caught.value.message


def test_a_search_at_the_limit_is_saved_and_runs(session: Session) -> None:
    contact = add_contact(session, first_name="Ann", city="Town 7")
    search = service.create_search(session, SavedSearchCreate(name="Big", filter=huge_filter(MAX_CONDITIONS)))
    assert service.run_search(session, search.id, TODAY).contact_ids == []

    widened = {"any": huge_filter(MAX_CONDITIONS)["all"]}
    service.update_search(session, search.id, SavedSearchUpdate(filter=widened))
    assert service.run_search(session, search.id, TODAY).contact_ids == [contact.id]
    assert search.id in {s.id for s in service.matching_searches_for_contact(session, contact.id, TODAY)}


def test_listed_values_count_towards_the_limit(session: Session) -> None:
    many = [f"Town {n}" for n in range(MAX_VALUES // 4 + 1)]
    raw = {"all": [{"field": "city", "op": "in", "value": many} for _ in range(4)]}
    with pytest.raises(FilterError) as caught:
        service.create_search(session, SavedSearchCreate(name="Lists", filter=raw))
    assert f"at most {MAX_VALUES} values" in caught.value.message


def test_a_stored_oversized_search_is_left_out_of_a_contacts_smart_groups(session: Session) -> None:
    contact = add_contact(session, first_name="Ann", city="Town 3")
    store_unchecked(session, "Everywhere", {"any": huge_filter()["all"]})
    town = {"field": "city", "op": "eq", "value": "Town 3"}
    service.create_search(session, SavedSearchCreate(name="Town 3", filter=town))
    names = [s.name for s in service.matching_searches_for_contact(session, contact.id, TODAY)]
    assert "Town 3" in names
    assert "Everywhere" not in names


def test_running_a_stored_oversized_search_says_it_is_too_big(session: Session) -> None:
    search_id = store_unchecked(session, "Everywhere", huge_filter())
    with pytest.raises(FilterError) as caught:
        service.run_search(session, search_id, TODAY)
    assert f"at most {MAX_CONDITIONS} conditions" in caught.value.message
    assert search_id not in service.evaluate_all(session, TODAY)
