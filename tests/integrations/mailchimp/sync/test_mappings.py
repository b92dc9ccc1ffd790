"""Choosing what the audience carries: searches as tags (off, renamed, prefixed), groups as tags,
interests (created in Mailchimp) or membership, seen end to end through a real sync."""

from __future__ import annotations

import pytest

from constituent.crm.errors import InvalidInput
from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.crm.searches.service import create_search
from constituent.integrations.mailchimp import mappings, service
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.kit.clock import today
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect, group_with, map_group_as

CITY_SEARCH = {"field": "city", "op": "eq", "value": "Springfield"}


def _search(product: Product, name: str) -> int:
    with session_scope(product.db.sessions) as session:
        return create_search(session, SavedSearchCreate(name=name, filter={"all": [CITY_SEARCH]})).id


@pytest.mark.slow
def test_a_saved_search_is_a_tag_until_switched_off(product: Product) -> None:
    audience = connect(product)
    [ann] = add_people(product, "ann@mailbox.org", city="Springfield")
    search_id = _search(product, "Springfield")
    audience.sync()
    assert "Springfield" in audience.member("ann@mailbox.org")["tags"]

    with session_scope(product.db.sessions) as session:
        integration = service.get_integration(session, audience.integration_id)
        mappings.set_search_tag(session, integration, search_id, enabled=False)
    audience.sync()

    # Switched off: we stop managing the tag; members keep what they carry, nothing new gets it.
    add_people(product, "bob@mailbox.org", city="Springfield")
    audience.sync()
    assert "Springfield" not in audience.member("bob@mailbox.org")["tags"]
    assert ann


def test_a_renamed_search_tag_gets_the_prefix_too(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org", city="Springfield")
    search_id = _search(product, "Springfield")
    with session_scope(product.db.sessions) as session:
        integration = service.get_integration(session, audience.integration_id)
        mappings.set_tag_prefix(session, integration, "CRM: ")
        mappings.set_search_tag(session, integration, search_id, enabled=True, name="Home town")
        rows = mappings.list_mappings(session, integration, today())
    assert {r.remote_name for r in rows if r.source_id == search_id and r.kind == "saved_search"} == {
        "CRM: Home town"
    }

    audience.sync()

    assert "CRM: Home town" in audience.member("ann@mailbox.org")["tags"]
    assert "Springfield" not in audience.member("ann@mailbox.org")["tags"]


@pytest.mark.slow
def test_a_group_mapped_as_interest_creates_the_interest_and_members_carry_it(product: Product) -> None:
    audience = connect(product)
    ann, bob = add_people(product, "ann@mailbox.org", "bob@mailbox.org")
    group_id = group_with(product, "Volunteers", [ann])

    interest_id = map_group_as(audience, group_id, SourceTarget.interest)
    audience.sync()

    assert interest_id
    assert audience.member("ann@mailbox.org")["interests"].get(interest_id) is True
    assert audience.member("bob@mailbox.org")["interests"].get(interest_id) is False
    # Mapping again reuses the interest instead of creating a second one.
    assert map_group_as(audience, group_id, SourceTarget.interest) == interest_id
    assert bob


@pytest.mark.slow
def test_a_group_mapped_as_a_tag_follows_its_membership(product: Product) -> None:
    audience = connect(product)
    ann, bob = add_people(product, "ann@mailbox.org", "bob@mailbox.org")
    group_id = group_with(product, "Board", [ann])
    map_group_as(audience, group_id, SourceTarget.tag, name="Board members")
    audience.sync()
    assert "Board members" in audience.member("ann@mailbox.org")["tags"]

    with session_scope(product.db.sessions) as session:
        groups.remove_from_group(session, group_id, [ann], method=MembershipMethod.user, actor="test")
        groups.add_to_group(session, group_id, [bob], method=MembershipMethod.user, actor="test")
    audience.sync()

    assert "Board members" not in audience.member("ann@mailbox.org")["tags"]
    assert "Board members" in audience.member("bob@mailbox.org")["tags"]


def test_unmapping_a_group_that_is_not_mapped_names_the_problem(product: Product) -> None:
    audience = connect(product)
    [ann] = add_people(product, "ann@mailbox.org")
    group_id = group_with(product, "Board", [ann])
    with session_scope(product.db.sessions) as session:
        integration = service.get_integration(session, audience.integration_id)
        with pytest.raises(InvalidInput, match="not mapped as tag"):
            mappings.unmap_group(session, integration, group_id, SourceTarget.tag)
        with pytest.raises(InvalidInput, match="cannot be empty"):
            mappings.set_search_tag(session, integration, _search(product, "S"), enabled=True, name="  ")


@pytest.mark.slow
def test_the_cli_maps_a_group_and_lists_the_mappings(product: Product) -> None:
    audience = connect(product)
    [ann] = add_people(product, "ann@mailbox.org")
    group_id = group_with(product, "Volunteers", [ann])

    mapped = product.cli(
        "mailchimp", "map-group", str(audience.integration_id), str(group_id), "--as", "interest"
    )
    assert mapped.returncode == 0, mapped.stderr
    listed = product.cli_json("mailchimp", "mappings", str(audience.integration_id))

    [row] = [m for m in listed["mappings"] if m["kind"] == "group"]
    assert (row["source_name"], row["target"], row["remote_name"]) == ("Volunteers", "interest", "Volunteers")
    assert row["interest_id"]
    assert any(m["kind"] == "saved_search" and m["target"] == "tag" for m in listed["mappings"])
