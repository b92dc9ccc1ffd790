"""Saved searches as a service: saving, changing, running, and the smart groups of one contact."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from constituent.crm.errors import Conflict, InvalidInput, NotFound
from constituent.crm.searches import service
from constituent.crm.searches.filters import FilterError
from constituent.crm.searches.schemas import SavedSearchCreate, SavedSearchUpdate
from tests.crm.searches.helpers import add_contact, add_email, add_gift, add_group, add_member

TODAY = date(2026, 3, 15)
IN_ILLINOIS = {"field": "state", "op": "eq", "value": "IL"}
GAVE = {"field": "gift_count", "op": "gte", "value": 1}


def create(session: Session, name: str, raw: dict[str, object]) -> int:
    return service.create_search(session, SavedSearchCreate(name=name, filter=raw)).id


def test_a_saved_search_runs_and_pages_its_matches(session: Session) -> None:
    ids = [add_contact(session, first_name=f"P{i}", state="IL").id for i in range(5)]
    add_contact(session, first_name="Elsewhere", state="WI")
    search_id = create(session, "Illinois", IN_ILLINOIS)

    everything = service.run_search(session, search_id, TODAY)
    page = service.run_search(session, search_id, TODAY, limit=2, offset=1)

    assert everything.model_dump() == {"search_id": search_id, "count": 5, "contact_ids": ids}
    assert (page.count, page.contact_ids) == (5, ids[1:3])


def test_saving_refuses_a_bad_filter_and_stores_nothing(session: Session) -> None:
    with pytest.raises(FilterError) as caught:
        create(session, "Broken", {"all": [IN_ILLINOIS, {"field": "state", "op": "resembles", "value": "I"}]})
    assert caught.value.path == "all[1].op"
    assert [s.name for s in service.list_searches(session, today=TODAY) if not s.is_quick_list] == []


def test_saving_refuses_a_group_that_does_not_exist(session: Session) -> None:
    group = add_group(session, "Volunteers")
    with pytest.raises(FilterError) as caught:
        create(session, "Ghosts", {"field": "in_group", "op": "in", "value": [group.id, group.id + 100]})
    assert caught.value.path == "value[1]"
    assert f"no group with id {group.id + 100}" in caught.value.message


def test_names_are_required_and_unique(session: Session) -> None:
    create(session, "Donors in IL", {"all": [IN_ILLINOIS, GAVE]})
    with pytest.raises(Conflict):
        create(session, " Donors in IL ", GAVE)
    with pytest.raises(InvalidInput) as caught:
        create(session, "   ", GAVE)
    assert caught.value.field == "name"


def test_a_search_can_be_renamed_and_given_a_new_filter(session: Session) -> None:
    il = add_contact(session, first_name="Ann", state="IL")
    wi = add_contact(session, first_name="Bo", state="WI")
    search_id = create(session, "Illinois", IN_ILLINOIS)

    service.update_search(
        session,
        search_id,
        SavedSearchUpdate(name="Wisconsin", filter={"field": "state", "op": "eq", "value": "WI"}),
    )

    assert service.get_search(session, search_id).name == "Wisconsin"
    assert service.run_search(session, search_id, TODAY).contact_ids == [wi.id]
    assert il.id not in service.run_search(session, search_id, TODAY).contact_ids


def test_a_bad_new_filter_leaves_the_old_one_in_place(session: Session) -> None:
    search_id = create(session, "Illinois", IN_ILLINOIS)
    with pytest.raises(FilterError):
        service.update_search(session, search_id, SavedSearchUpdate(filter={"field": "nope"}))
    assert service.get_search(session, search_id).filter == IN_ILLINOIS


def test_deleting_a_search_forgets_it(session: Session) -> None:
    search_id = create(session, "Illinois", IN_ILLINOIS)
    service.delete_search(session, search_id)
    with pytest.raises(NotFound):
        service.get_search(session, search_id)
    with pytest.raises(NotFound):
        service.run_search(session, search_id, TODAY)


def test_quick_lists_cannot_be_deleted_or_have_their_filter_edited(session: Session) -> None:
    donors = next(s for s in service.list_searches(session, today=TODAY) if s.quick_list == "donors")
    with pytest.raises(Conflict, match="quick list"):
        service.delete_search(session, donors.id)
    with pytest.raises(Conflict, match="quick list"):
        service.update_search(session, donors.id, SavedSearchUpdate(filter=IN_ILLINOIS))
    renamed = service.update_search(session, donors.id, SavedSearchUpdate(name="Supporters"))
    assert (renamed.name, renamed.quick_list) == ("Supporters", "donors")


def test_a_contacts_smart_groups_are_the_searches_it_matches(session: Session) -> None:
    group = add_group(session, "Volunteers")
    ann = add_contact(session, first_name="Ann", state="IL", created_at="2020-01-01")
    bob = add_contact(session, first_name="Bob", state="WI", created_at="2026-03-01")
    add_email(session, ann, "ann@example.org", primary=True)
    add_member(session, group, ann)
    add_gift(session, bob, "25", "2026-03-01")
    illinois = create(session, "Illinois", IN_ILLINOIS)
    helpers = create(session, "Helpers at example.org", {
        "all": [{"field": "in_group", "op": "eq", "value": group.id},
                {"field": "email_domain", "op": "eq", "value": "example.org"}]
    })  # fmt: skip
    create(session, "Big givers", {"field": "total_given", "op": "gte", "value": 1000})

    ann_groups = service.matching_searches_for_contact(session, ann.id, TODAY)
    bob_groups = service.matching_searches_for_contact(session, bob.id, TODAY)

    assert [s.id for s in ann_groups] == [helpers, illinois]  # listed by name
    assert {s.quick_list for s in bob_groups} == {"new_contacts", "donors", "recent_donors"}


def test_smart_groups_of_an_unknown_contact_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        service.matching_searches_for_contact(session, 4242, TODAY)


def test_evaluate_all_gives_every_search_its_members(session: Session) -> None:
    ann = add_contact(session, first_name="Ann", state="IL", created_at="2020-01-01")
    bob = add_contact(session, first_name="Bob", state="IL", created_at="2020-01-01")
    add_gift(session, bob, "2000", "2024-06-01")
    illinois = create(session, "Illinois", IN_ILLINOIS)

    members = service.evaluate_all(session, TODAY)
    by_key = {s.quick_list: members[s.id] for s in service.list_searches(session, today=TODAY)}

    assert members[illinois] == {ann.id, bob.id}
    assert by_key["donors"] == by_key["major_donors"] == {bob.id}
    assert by_key["new_contacts"] == by_key["recent_donors"] == by_key["lapsed_donors"] == set()
