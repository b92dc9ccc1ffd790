"""CLI ``groups rejoin`` and the REST rejoin answer carry Mailchimp's refusal, as the web page already does
(issue 14): someone who unsubscribed in Mailchimp is back in the group, and told the audience will not
take them back. On both databases, the emulator over HTTP, the CLI as a real process.
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
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect, group_with, map_group_as

ANN = "ann@mailbox.org"


def past_membership_of_an_unsubscribed_member(product: Product) -> int:
    audience = connect(product)
    (ann,) = add_people(product, ANN)
    group_id = group_with(product, "Members", [ann])
    with session_scope(product.db.sessions) as session:
        service.get_integration(session, audience.integration_id).mode = SyncMode.groups
    map_group_as(audience, group_id, SourceTarget.membership)
    audience.sync()
    audience.person_action(ANN, "unsubscribe")
    audience.full()  # no webhook reaches this test's app: the resync reads the unsubscribe
    with session_scope(product.db.sessions) as session:
        groups.remove_from_group(session, group_id, [ann], method=MembershipMethod.api, actor="Mailchimp")
        return groups.contact_groups(session, ann).past[0].membership_id


@pytest.mark.slow
def test_the_rest_rejoin_answer_carries_mailchimps_refusal(product: Product, admin_api: httpx.Client) -> None:
    membership_id = past_membership_of_an_unsubscribed_member(product)

    response = admin_api.post(f"/memberships/{membership_id}/rejoin")

    assert response.status_code == 201, response.text
    (refusal,) = response.json()["mailchimp_refusals"]
    assert refusal["email"] == ANN and "nsubscribed" in refusal["message"]


def test_the_cli_rejoin_says_mailchimp_will_not_take_the_person_back(product: Product) -> None:
    membership_id = past_membership_of_an_unsubscribed_member(product)

    result = product.cli("groups", "rejoin", str(membership_id))

    assert result.returncode == 0, result.stderr
    assert f"will not take {ANN} back" in result.stdout
    assert "nsubscribed" in result.stdout
