"""Changing an integration's options after connecting: values are checked and named when wrong, only the
given ones change, and double opt-in only applies to members the sync adds afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from constituent.crm.errors import InvalidInput, NotFound
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.schemas import SettingsChange
from constituent.integrations.mailchimp.settings import update_settings
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect


def _update(product: Product, integration_id: int, **changes: Any) -> None:
    with session_scope(product.db.sessions) as session:
        update_settings(session, integration_id, SettingsChange(**changes))


def _stored(product: Product, integration_id: int) -> dict[str, Any]:
    with product.db.sessions() as session:
        integration = service.get_integration(session, integration_id)
        fields = ("name", "nightly_time", "double_optin", "accept_profile_changes", "removal_guard_percent")
        return {field: getattr(integration, field) for field in fields}


@pytest.fixture
def audience(product: Product) -> Audience:
    return connect(product)


def test_every_option_can_be_changed_and_the_rest_stay(product: Product, audience: Audience) -> None:
    before = _stored(product, audience.integration_id)

    _update(product, audience.integration_id, nightly_time="23:30", removal_guard_percent=25)
    _update(product, audience.integration_id, name=" Donors ", double_optin=True, accept_profile_changes=True)

    assert before["nightly_time"] == "02:00" and before["removal_guard_percent"] == 10
    assert _stored(product, audience.integration_id) == {
        "name": "Donors",
        "nightly_time": "23:30",
        "double_optin": True,
        "accept_profile_changes": True,
        "removal_guard_percent": 25,
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"nightly_time": "24:00"}, "nightly_time", "'24:00' is not HH:MM (24-hour)"),
        ({"nightly_time": "2:00"}, "nightly_time", "'2:00' is not HH:MM (24-hour)"),
        ({"removal_guard_percent": 0}, "removal_guard_percent", "from 1 to 100, not 0"),
        ({"removal_guard_percent": 101}, "removal_guard_percent", "from 1 to 100, not 101"),
        ({"name": "   "}, "name", "must not be empty"),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
    ],
)
def test_a_bad_value_is_named_and_nothing_changes(
    product: Product, audience: Audience, changes: dict[str, Any], field: str, message: str
) -> None:
    before = _stored(product, audience.integration_id)

    with pytest.raises(InvalidInput) as raised:
        _update(product, audience.integration_id, double_optin=True, **changes)

    assert raised.value.field == field
    assert message in raised.value.message
    assert _stored(product, audience.integration_id) == before


def test_the_limits_themselves_are_accepted(product: Product, audience: Audience) -> None:
    _update(product, audience.integration_id, nightly_time="00:00", removal_guard_percent=1, name="x" * 200)
    _update(product, audience.integration_id, nightly_time="23:59", removal_guard_percent=100)

    stored = _stored(product, audience.integration_id)
    assert (stored["nightly_time"], stored["removal_guard_percent"]) == ("23:59", 100)
    assert len(stored["name"]) == 200


def test_an_unknown_integration_is_not_found(product: Product, audience: Audience) -> None:
    with pytest.raises(NotFound):
        _update(product, audience.integration_id + 1, nightly_time="03:00")


def test_double_optin_only_applies_to_members_added_afterwards(product: Product, audience: Audience) -> None:
    add_people(product, "ada@mailbox.org")
    audience.sync()

    _update(product, audience.integration_id, double_optin=True)
    add_people(product, "bob@mailbox.org")
    audience.sync()

    assert audience.member("ada@mailbox.org")["status"] == "subscribed"
    assert audience.member("bob@mailbox.org")["status"] == "pending"
