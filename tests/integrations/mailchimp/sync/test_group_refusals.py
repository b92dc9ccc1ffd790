"""Adding a contact Mailchimp holds as unsubscribed to a synced group: added in the database, and the
answer says Mailchimp refused them (the behaviour users know from the donor database)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from constituent.auth import service as auth_service
from constituent.auth.models import Role
from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.web.app import create_app
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect, group_with, map_group_as


def _api(product: Product) -> TestClient:
    with session_scope(product.db.sessions) as session:
        auth_service.create_user(session, "staff@mailbox.org", "staff password", role=Role.staff)
        token = auth_service.create_token(session, "staff@mailbox.org").raw
    app = create_app(product.settings, database=Database(product.db.engine, product.db.sessions))
    return TestClient(app, base_url="http://testserver/api/v1", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.slow
def test_rejoining_a_synced_group_after_unsubscribing_adds_the_contact_and_reports_the_refusal(
    product: Product,
) -> None:
    audience = connect(product)
    ann, bob = add_people(product, "ann@mailbox.org", "bob@mailbox.org")
    group_id = group_with(product, "Newsletter", [ann])
    map_group_as(audience, group_id, SourceTarget.tag)
    audience.sync()
    audience.person_action("ann@mailbox.org", "unsubscribe", reason="manual")
    audience.full()  # reads the unsubscribe back from Mailchimp
    with session_scope(product.db.sessions) as session:
        groups.remove_from_group(session, group_id, [ann], method=MembershipMethod.user, actor="test")

    answer = _api(product).post(f"/groups/{group_id}/members", json={"contact_ids": [ann, bob]})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert sorted(body["added"]) == sorted([ann, bob])
    [refusal] = body["mailchimp_refusals"]
    assert refusal["contact_id"] == ann
    assert "Mailchimp will not add ann@mailbox.org" in refusal["message"]
    assert audience.member("ann@mailbox.org")["status"] == "unsubscribed"


def test_a_group_that_feeds_no_audience_reports_no_refusals(product: Product) -> None:
    connect(product)
    [ann] = add_people(product, "ann@mailbox.org")
    group_id = group_with(product, "Board", [])

    answer = _api(product).post(f"/groups/{group_id}/members", json={"contact_ids": [ann]})

    assert answer.json()["mailchimp_refusals"] == []
    assert answer.json()["added"] == [ann]
