"""Someone who unsubscribed (or bounced) while the integration was removed is caught when it is added again
(issue 14), through the real emulator over HTTP, on both databases: the new integration's first look at
the audience, before its first sync, tells the contacts, and nothing re-subscribes them."""

from __future__ import annotations

import asyncio

from constituent.crm.activities.service import list_activities
from constituent.crm.groups import service as groups
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.models import SyncMode
from constituent.integrations.mailchimp.schemas import ConnectRequest
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect, group_with

ANN, BOB = "ann@mailbox.org", "bob@mailbox.org"


def remove(audience: Audience) -> None:
    with session_scope(audience.product.db.sessions) as session:
        asyncio.run(service.remove(session, audience.product.box, audience.integration_id))


def add_again(audience: Audience, **request: object) -> int:
    """A new integration on the same account and the same (existing) audience."""
    product = audience.product
    credentials = Credentials("api_key", audience.api_key, product.emulator.api_base)
    connect_request = ConnectRequest(name="Supporters again", audience_id=audience.audience_id, **request)
    with session_scope(product.db.sessions) as session:
        integration = asyncio.run(service.connect(session, product.box, connect_request, credentials))
        return integration.id


def subjects(product: Product, contact_id: int) -> list[str]:
    with product.db.sessions() as session:
        rows, _total = list_activities(session, contact_id, limit=100)
        return [row.subject for row in rows]


def test_an_unsubscribe_while_the_integration_was_removed_reaches_the_contact_when_it_is_added_again(
    product: Product,
) -> None:
    audience = connect(product)
    [ann, bob] = add_people(product, ANN, BOB)
    audience.sync()
    remove(audience)
    audience.person_action(ANN, "unsubscribe", reason="manual")
    audience.person_action(BOB, "bounce")

    again = add_again(audience)
    run = run_sync(audience.database, product.settings, again)

    assert run.status is RunStatus.succeeded, run.message
    assert any(s.startswith("Unsubscribed from Mailchimp audience") for s in subjects(product, ann))
    assert any(s.startswith("Email bounced") for s in subjects(product, bob))
    assert audience.member(ANN)["status"] == "unsubscribed"
    assert audience.member(BOB)["status"] == "cleaned"


def test_in_groups_mode_she_leaves_the_group_feeding_the_audience_as_after_any_unsubscribe(
    product: Product,
) -> None:
    audience = connect(product)
    [ann] = add_people(product, ANN)
    group_id = group_with(product, "Newsletter", [ann])
    audience.sync()
    remove(audience)
    audience.person_action(ANN, "unsubscribe", reason="manual")

    again = add_again(audience, mode=SyncMode.groups, groups=["Newsletter"])
    run = run_sync(audience.database, product.settings, again)

    assert run.status is RunStatus.succeeded, run.message
    with product.db.sessions() as session:
        stints = groups.contact_groups(session, ann)
    assert group_id not in [m.group_id for m in stints.current]
    assert audience.member(ANN)["status"] == "unsubscribed"
