"""Tag ownership by history, through real syncs against the emulator on both databases.

Issue 14: renaming a saved search, a search's tag, a group mapped as a tag, or setting a tag prefix left
the old tag on members for ever (a prefix doubled every tag), and a deleted search's tag or a switched-off
tag stayed too. Now the ledger's record of what we wrote decides: members carry exactly the new names, a
tag we stopped giving is removed, unless the user chose to leave it on the members; tags made in Mailchimp
are never touched.
"""

from __future__ import annotations

import pytest

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.groups import service as groups
from constituent.crm.searches.schemas import SavedSearchUpdate
from constituent.crm.searches.service import delete_search, update_search
from constituent.integrations.mailchimp import mappings, service
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.integrations.mailchimp.sync.models import RunMode
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

ANN = "ann@mailbox.org"
MODES = pytest.mark.parametrize("mode", [RunMode.incremental, RunMode.full])


def tag_made_in_mailchimp(audience: Audience, email: str, tag: str) -> None:
    with audience.product.emulator.api_client(audience.api_key) as client:
        path = f"/lists/{audience.audience_id}/members/{subscriber_hash(email)}/tags"
        assert client.post(path, json={"tags": [{"name": tag, "status": "active"}]}).status_code == 204


def tags_of(audience: Audience, email: str) -> set[str]:
    return set(audience.member(email)["tags"])


def synced_with_ann_tagged(product: Product) -> tuple[Audience, int]:
    audience = connect(product)
    add_people(product, ANN, city="Springfield")
    search_id = springfield_search(product)
    audience.sync()
    tag_made_in_mailchimp(audience, ANN, "VIP")
    assert {"Springfield", "VIP"} <= tags_of(audience, ANN)
    return audience, search_id


@MODES
def test_renaming_a_saved_search_moves_its_members_to_exactly_the_new_tag(
    product: Product, mode: RunMode
) -> None:
    audience, search_id = synced_with_ann_tagged(product)
    with session_scope(product.db.sessions) as session:
        update_search(session, search_id, SavedSearchUpdate(name="Springfield residents"))

    audience.sync(mode=mode)

    tags = tags_of(audience, ANN)
    assert {"Springfield residents", "VIP"} <= tags
    assert "Springfield" not in tags
    assert "Springfield" not in audience.ledger()[subscriber_hash(ANN)].tags


def test_renaming_a_searchs_tag_moves_members_to_the_new_name(product: Product) -> None:
    audience, search_id = synced_with_ann_tagged(product)
    with session_scope(product.db.sessions) as session:
        integration = service.get_integration(session, audience.integration_id)
        mappings.set_search_tag(session, integration, search_id, enabled=True, name="Town")

    audience.sync()

    tags = tags_of(audience, ANN)
    assert "Town" in tags and "Springfield" not in tags and "VIP" in tags


@pytest.mark.slow
@MODES
def test_setting_a_tag_prefix_replaces_every_tag_instead_of_doubling_it(
    product: Product, mode: RunMode
) -> None:
    audience, _search_id = synced_with_ann_tagged(product)
    ours_before = {t for t in tags_of(audience, ANN) if t != "VIP"}
    with session_scope(product.db.sessions) as session:
        mappings.set_tag_prefix(session, service.get_integration(session, audience.integration_id), "CRM: ")

    audience.sync(mode=mode)

    assert tags_of(audience, ANN) == {f"CRM: {tag}" for tag in ours_before} | {"VIP"}


def test_renaming_a_group_mapped_as_a_tag_moves_members_to_the_new_name(product: Product) -> None:
    audience = connect(product)
    (ann,) = add_people(product, ANN)
    group_id = group_with(product, "Board", [ann])
    map_group_as(audience, group_id, SourceTarget.tag)
    audience.sync()
    assert "Board" in tags_of(audience, ANN)

    with session_scope(product.db.sessions) as session:
        groups.rename_group(session, group_id, "Trustees", actor="test")
    audience.sync()

    tags = tags_of(audience, ANN)
    assert "Trustees" in tags and "Board" not in tags


def test_a_deleted_searchs_tag_is_removed_from_the_members_we_put_it_on(product: Product) -> None:
    audience, search_id = synced_with_ann_tagged(product)
    with session_scope(product.db.sessions) as session:
        delete_search(session, search_id)

    audience.sync()

    tags = tags_of(audience, ANN)
    assert "Springfield" not in tags and "VIP" in tags


def test_a_switched_off_tag_is_removed_unless_the_user_chose_to_leave_it_on_the_members(
    product: Product,
) -> None:
    audience = connect(product)
    add_people(product, ANN, city="Springfield")
    removed, left = springfield_search(product, "Removed"), springfield_search(product, "Left")
    audience.sync()
    with session_scope(product.db.sessions) as session:
        integration = service.get_integration(session, audience.integration_id)
        mappings.set_search_tag(session, integration, removed, enabled=False)
        mappings.set_search_tag(session, integration, left, enabled=False, leave_on_members=True)

    audience.sync()
    audience.full()

    tags = tags_of(audience, ANN)
    assert "Removed" not in tags and "Left" in tags
