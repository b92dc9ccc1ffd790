"""Deleting what feeds an audience, over our REST API (served over HTTP) and real syncs, on both databases.

Issue 14: deleting a group that decides membership erased its "Removed (by API)" history and left the
integration in groups mode with no group; a saved search feeding an audience needed the same care. Now the
deletion is refused (409) saying how many members the next sync would archive, and nothing is lost. A search
or group that is only a tag is deleted, and its tag taken off the members unless the user chose to leave it.
"""

from __future__ import annotations

import httpx
import pytest

from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.models import SourceTarget, SyncMode
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.lifecycle.conftest import springfield_search
from tests.integrations.mailchimp.sync.sync_helpers import (
    Audience,
    add_people,
    connect,
    group_with,
    map_group_as,
)

ANN, BOB = "ann@mailbox.org", "bob@mailbox.org"


def groups_mode(audience: Audience) -> None:
    with session_scope(audience.product.db.sessions) as session:
        service.get_integration(session, audience.integration_id).mode = SyncMode.groups


@pytest.mark.slow
def test_deleting_a_group_that_decides_membership_is_refused_with_the_count_and_keeps_its_history(
    product: Product, admin_api: httpx.Client
) -> None:
    audience = connect(product)
    ann, bob = add_people(product, ANN, BOB)
    group_id = group_with(product, "Members", [ann, bob])
    groups_mode(audience)
    map_group_as(audience, group_id, SourceTarget.membership)
    audience.sync()
    with session_scope(product.db.sessions) as session:
        groups.remove_from_group(session, group_id, [bob], method=MembershipMethod.api, actor="Mailchimp")

    response = admin_api.delete(f"/groups/{group_id}")

    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert "Members" in detail and "archive up to 1 subscribed member" in detail and "Unmap" in detail
    with session_scope(product.db.sessions) as session:
        history = groups.contact_groups(session, bob)
    assert [past.group_name for past in history.past] == ["Members"]
    audience.sync()
    assert audience.member(ANN)["status"] == "subscribed"


@pytest.mark.slow
def test_deleting_a_saved_search_that_decides_membership_is_refused(
    product: Product, admin_api: httpx.Client
) -> None:
    audience = connect(product)
    add_people(product, ANN, city="Springfield")
    search_id = springfield_search(product)
    groups_mode(audience)
    mapped = admin_api.put(
        f"/integrations/mailchimp/{audience.integration_id}/mappings/searches/{search_id}",
        json={"target": "membership"},
    )
    assert mapped.status_code == 200, mapped.text
    audience.sync()

    response = admin_api.delete(f"/saved-searches/{search_id}")

    assert response.status_code == 409
    assert "archive up to 1 subscribed member" in response.json()["detail"]
    assert admin_api.get(f"/saved-searches/{search_id}").status_code == 200


@pytest.mark.slow
def test_a_group_that_is_only_a_tag_is_deleted_and_its_tag_taken_off_the_members(
    product: Product, admin_api: httpx.Client
) -> None:
    audience = connect(product)
    (ann,) = add_people(product, ANN)
    group_id = group_with(product, "Board", [ann])
    map_group_as(audience, group_id, SourceTarget.tag)
    audience.sync()

    assert admin_api.delete(f"/groups/{group_id}").status_code == 204
    audience.sync()

    assert "Board" not in audience.member(ANN)["tags"]


@pytest.mark.slow
@pytest.mark.parametrize("leave", [False, True])
def test_a_deleted_searchs_tag_is_removed_unless_the_user_leaves_it_on_the_members(
    product: Product, admin_api: httpx.Client, leave: bool
) -> None:
    audience = connect(product)
    add_people(product, ANN, city="Springfield")
    search_id = springfield_search(product)
    audience.sync()

    params = {"leave_tags_on_members": "true"} if leave else {}
    assert admin_api.delete(f"/saved-searches/{search_id}", params=params).status_code == 204
    audience.sync()
    audience.full()

    assert ("Springfield" in audience.member(ANN)["tags"]) is leave


@pytest.mark.slow
def test_switching_a_tag_off_with_leave_on_members_is_shown_in_the_mappings(
    product: Product, admin_api: httpx.Client
) -> None:
    audience = connect(product)
    add_people(product, ANN, city="Springfield")
    search_id = springfield_search(product)
    audience.sync()
    path = f"/integrations/mailchimp/{audience.integration_id}/mappings/searches/{search_id}"

    rows = admin_api.put(path, json={"enabled": False, "leave_on_members": True}).json()
    audience.sync()

    (row,) = [r for r in rows if r["source_id"] == search_id and r["target"] == "tag"]
    assert (row["enabled"], row["left_on_members"]) == (False, True)
    assert "Springfield" in audience.member(ANN)["tags"]
