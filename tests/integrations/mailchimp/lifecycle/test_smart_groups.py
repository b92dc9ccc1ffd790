"""Smart groups (saved searches) decide audience membership and can be interests, as the DMS page
promises ("sync the Contacts in your desired Groups & Smart Groups with your chosen Audiences and/or
Interests+Groups"): REST ``PUT …/mappings/searches/{id}`` with a target, and the CLI, on both databases.
"""

from __future__ import annotations

import httpx
import pytest

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.models import SyncMode
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.lifecycle.conftest import springfield_search
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect, update_person

ANN, BOB = "ann@mailbox.org", "bob@mailbox.org"


def search_path(audience: Audience, search_id: int) -> str:
    return f"/integrations/mailchimp/{audience.integration_id}/mappings/searches/{search_id}"


@pytest.mark.slow
def test_a_saved_search_decides_who_is_in_the_audience_in_groups_mode(
    product: Product, admin_api: httpx.Client
) -> None:
    audience = connect(product)
    ann, _bob = add_people(product, ANN, BOB)
    update_person(product, ann, city="Springfield")
    search_id = springfield_search(product)
    with session_scope(product.db.sessions) as session:
        service.get_integration(session, audience.integration_id).mode = SyncMode.groups

    response = admin_api.put(search_path(audience, search_id), json={"target": "membership"})
    audience.sync()

    assert response.status_code == 200, response.text
    assert any(r["target"] == "membership" and r["source_id"] == search_id for r in response.json())
    assert set(audience.members()) == {ANN}


@pytest.mark.slow
def test_a_saved_search_as_an_interest_ticks_it_for_its_members(
    product: Product, admin_api: httpx.Client
) -> None:
    audience = connect(product)
    ann, _bob = add_people(product, ANN, BOB)
    update_person(product, ann, city="Springfield")
    search_id = springfield_search(product)

    rows = admin_api.put(search_path(audience, search_id), json={"target": "interest"}).json()
    audience.sync()

    (row,) = [r for r in rows if r["target"] == "interest"]
    interest_id = row["interest_id"]
    assert audience.member(ANN)["interests"][interest_id] is True
    assert audience.member(BOB)["interests"][interest_id] is False


def test_an_unknown_target_is_a_422_naming_it_and_nothing_is_mapped(
    product: Product, admin_api: httpx.Client
) -> None:
    audience = connect(product)
    search_id = springfield_search(product)

    response = admin_api.put(search_path(audience, search_id), json={"target": "segment"})

    assert response.status_code == 422
    assert "target" in response.text
    rows = admin_api.get(f"/integrations/mailchimp/{audience.integration_id}/mappings").json()
    assert [r["target"] for r in rows if r["source_id"] == search_id] == ["tag"]


def test_membership_is_refused_outside_groups_mode(product: Product, admin_api: httpx.Client) -> None:
    audience = connect(product)
    search_id = springfield_search(product)

    response = admin_api.put(search_path(audience, search_id), json={"target": "membership"})

    assert response.status_code == 422
    assert "groups" in response.text


def test_the_cli_maps_a_saved_search_as_an_interest(product: Product) -> None:
    audience = connect(product)
    search_id = springfield_search(product)

    mapped = product.cli(
        "mailchimp", "map-search", str(audience.integration_id), str(search_id), "--as", "interest"
    )

    assert mapped.returncode == 0, mapped.stderr
    listed = product.cli_json("mailchimp", "mappings", str(audience.integration_id))
    (row,) = [m for m in listed["mappings"] if m["target"] == "interest"]
    assert (row["source_id"], row["remote_name"]) == (search_id, "Springfield") and row["interest_id"]
