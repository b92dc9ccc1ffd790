"""A group mapped as an interest, when renamed, renames the interest in Mailchimp: the same interest (same
id, so members keep it ticked and Mailchimp segments built on it keep working), under the new name.

Fidelity: ``PATCH /lists/{list_id}/interest-categories/{category_id}/interests/{interest_id}`` with
``{"name": ...}`` renames an interest in place, keeping its id (Mailchimp Marketing API reference, "Update
interest in category"; the emulator's routes/interests.py follows it).
"""

from __future__ import annotations

import httpx
import pytest

from constituent.integrations.mailchimp.models import SourceTarget
from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import (
    Audience,
    add_people,
    connect,
    group_with,
    map_group_as,
    update_person,
)

ANN = "ann@mailbox.org"


def interest_names(audience: Audience) -> dict[str, str]:
    """Every interest of our category as Mailchimp's API shows it, name by id."""
    with session_scope(audience.product.db.sessions) as session:
        category = get_integration(session, audience.integration_id).interest_category_id
    path = f"/lists/{audience.audience_id}/interest-categories/{category}/interests"
    with audience.product.emulator.api_client(audience.api_key) as client:
        return {i["id"]: i["name"] for i in client.get(path).json()["interests"]}


@pytest.mark.slow
def test_renaming_a_group_mapped_as_an_interest_renames_the_same_interest_in_mailchimp(
    product: Product, admin_api: httpx.Client
) -> None:
    audience = connect(product)
    (ann,) = add_people(product, ANN)
    group_id = group_with(product, "Volunteers", [ann])
    interest_id = map_group_as(audience, group_id, SourceTarget.interest)
    assert interest_id is not None
    audience.sync()

    renamed = admin_api.patch(f"/groups/{group_id}", json={"name": "Park volunteers"})
    audience.sync()

    assert renamed.status_code == 200, renamed.text
    assert interest_names(audience) == {interest_id: "Park volunteers"}
    assert audience.member(ANN)["interests"][interest_id] is True


@pytest.mark.slow
def test_a_chosen_interest_name_is_kept_when_the_group_is_renamed(
    product: Product, admin_api: httpx.Client
) -> None:
    audience = connect(product)
    group_id = group_with(product, "Volunteers", [])
    interest_id = map_group_as(audience, group_id, SourceTarget.interest, name="Helpers")
    audience.sync()

    admin_api.patch(f"/groups/{group_id}", json={"name": "Park volunteers"})
    audience.sync()

    assert interest_id is not None
    assert interest_names(audience) == {interest_id: "Helpers"}


def test_a_preview_or_a_run_the_removal_guard_stops_renames_no_interest_and_the_confirmed_run_does(
    product: Product, admin_api: httpx.Client
) -> None:
    # The interests' names are read while the first slice is planned (execution._slice_by_slice), but
    # renamed only by a run that writes: past the guard, never in a preview.
    audience = connect(product)
    ids = add_people(product, ANN, "bo@mailbox.org", "cy@mailbox.org")
    group_id = group_with(product, "Volunteers", ids)
    interest_id = map_group_as(audience, group_id, SourceTarget.interest)
    assert interest_id is not None
    audience.sync()
    for contact_id in ids[1:]:
        update_person(product, contact_id, do_not_email=True)  # 2 of 3 would be archived: past the guard
    admin_api.patch(f"/groups/{group_id}", json={"name": "Park volunteers"})
    writes = audience.emulator_writes()

    preview = audience.sync(dry_run=True, confirm_removals=True)
    stopped = audience.sync()

    assert preview.status is RunStatus.succeeded, preview.message
    assert preview.archived == 2, "a preview counts what the run would do"
    assert stopped.status is RunStatus.needs_confirmation, stopped.message
    assert audience.emulator_writes() == writes
    assert interest_names(audience) == {interest_id: "Volunteers"}

    confirmed = audience.sync(confirm_removals=True)

    assert confirmed.status is RunStatus.succeeded, confirmed.message
    assert interest_names(audience) == {interest_id: "Park volunteers"}
    assert confirmed.archived == 2
