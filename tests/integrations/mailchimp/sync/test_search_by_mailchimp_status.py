"""Who unsubscribed, was cleaned or never reached an audience is a saved search (issue #14): the
``mailchimp_status`` field reads the statuses the sync and webhooks recorded, per audience."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from constituent.crm.errors import InvalidInput
from constituent.crm.searches import service as searches
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect

TODAY = date(2026, 12, 5)


def _matching(product: Product, audience: Audience, op: str, value: Any) -> list[int]:
    condition = {"field": "mailchimp_status", "op": op, "value": value, "audience": audience.integration_id}
    with session_scope(product.db.sessions) as session:
        search = searches.create_search(
            session, SavedSearchCreate(name=f"status {op} {value}", filter={"all": [condition]})
        )
        return searches.run_search(session, search.id, TODAY).contact_ids


def _one_unsubscribed(product: Product) -> tuple[Audience, list[int]]:
    audience = connect(product)
    ann, bob = add_people(product, "ann@mailbox.org", "bob@mailbox.org")
    audience.sync()
    audience.person_action("ann@mailbox.org", "unsubscribe", reason="manual")
    audience.full()  # reads the unsubscribe back from Mailchimp into the ledger
    [cat] = add_people(product, "cat@mailbox.org")  # never sent: no sync since
    return audience, [ann, bob, cat]


def test_a_search_on_mailchimp_status_finds_who_unsubscribed_from_the_audience(product: Product) -> None:
    audience, [ann, bob, cat] = _one_unsubscribed(product)

    assert _matching(product, audience, "eq", "unsubscribed") == [ann]
    assert _matching(product, audience, "eq", "subscribed") == [bob]
    assert _matching(product, audience, "ne", "unsubscribed") == sorted([bob, cat])


def test_not_in_audience_finds_contacts_the_audience_never_held(product: Product) -> None:
    audience, [ann, _bob, cat] = _one_unsubscribed(product)

    assert _matching(product, audience, "eq", "not_in_audience") == [cat]
    assert _matching(product, audience, "in", ["unsubscribed", "not_in_audience"]) == sorted([ann, cat])


def test_a_contact_page_sees_the_search_its_mailchimp_status_matches(product: Product) -> None:
    audience, [ann, bob, _] = _one_unsubscribed(product)
    _matching(product, audience, "eq", "unsubscribed")

    with session_scope(product.db.sessions) as session:
        for_ann = searches.matching_searches_for_contact(session, ann, TODAY)
        for_bob = searches.matching_searches_for_contact(session, bob, TODAY)

    assert "status eq unsubscribed" in [search.name for search in for_ann]
    assert "status eq unsubscribed" not in [search.name for search in for_bob]


def test_a_mailchimp_status_search_names_a_missing_audience_or_status_plainly(product: Product) -> None:
    audience = connect(product)
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"field": "mailchimp_status", "op": "eq", "value": "unsubscribed"}, "needs the audience"),
        (
            {"field": "mailchimp_status", "op": "eq", "value": "unsubscribed", "audience": 999},
            "no Mailchimp audience",
        ),
        (
            {"field": "mailchimp_status", "op": "eq", "value": "gone", "audience": audience.integration_id},
            "unknown Mailchimp status 'gone'",
        ),
        ({"field": "city", "op": "eq", "value": "Leeds", "audience": 1}, "does not take an audience"),
    ]
    for condition, message in wrong:
        with session_scope(product.db.sessions) as session, pytest.raises(InvalidInput, match=message):
            searches.create_search(session, SavedSearchCreate(name="bad", filter={"all": [condition]}))
