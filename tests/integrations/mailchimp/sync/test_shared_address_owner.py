"""Issue 15: several contacts at one address are one member whose details come from its owner, the most
complete record, the longest-standing among equals; a newer, emptier duplicate never takes it over."""

from __future__ import annotations

from constituent.crm.searches.models import SavedSearch
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect, update_person

HOME = {"street": "1 Elm St", "city": "Springfield", "state": "IL", "postal_code": "62701"}


def _donor_tag(product: Product) -> None:
    with session_scope(product.db.sessions) as session:
        session.add(SavedSearch(name="Donors", filter={"field": "city", "op": "eq", "value": "Springfield"}))


def test_a_newer_emptier_duplicate_never_takes_over_the_originals_member(product: Product) -> None:
    audience = connect(product)
    _donor_tag(product)
    (original,) = add_people(product, "kyle@mailbox.org", last_name="Silva")
    update_person(product, original, first_name="Kyle", phone="555-0101", **HOME)
    assert audience.sync().status is RunStatus.succeeded

    (duplicate,) = add_people(product, "KYLE@mailbox.org", last_name="")  # a sign-up sheet's row
    update_person(product, duplicate, first_name="K")
    incremental = audience.sync()
    full = audience.full()

    member = audience.member("kyle@mailbox.org")
    assert (incremental.status, full.status) == (RunStatus.succeeded, RunStatus.succeeded)
    assert member["merge_fields"]["FNAME"] == "Kyle"
    assert member["merge_fields"]["LNAME"] == "Silva"
    assert member["merge_fields"]["PHONE"] == "555-0101"
    assert member["merge_fields"]["ADDRESS"]["addr1"] == "1 Elm St"
    assert "Donors" in member["tags"]


def test_the_most_complete_record_owns_the_member_even_when_it_is_not_the_oldest(product: Product) -> None:
    audience = connect(product)
    (older,) = add_people(product, "kyle@mailbox.org", last_name="")
    update_person(product, older, first_name="K")
    (complete,) = add_people(product, "kyle@mailbox.org", last_name="Silva")
    update_person(product, complete, first_name="Kyle", phone="555-0101", **HOME)

    assert audience.sync().status is RunStatus.succeeded

    member = audience.member("kyle@mailbox.org")
    assert (member["merge_fields"]["FNAME"], member["merge_fields"]["PHONE"]) == ("Kyle", "555-0101")
