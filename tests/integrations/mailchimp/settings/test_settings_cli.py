"""``constituent mailchimp settings`` as a real process: show, change, and exit 2 naming a bad value."""

from __future__ import annotations

import pytest

from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience, connect


@pytest.fixture
def integration_id(product: Product) -> str:
    audience: Audience = connect(product)
    return str(audience.integration_id)


def test_with_no_option_it_prints_the_current_settings(product: Product, integration_id: str) -> None:
    shown = product.cli("mailchimp", "settings", integration_id)
    as_json = product.cli_json("mailchimp", "settings", integration_id)

    assert shown.returncode == 0, shown.stderr
    assert "Nightly sync (organization time zone): 02:00" in shown.stdout
    assert "Apply profile changes made in Mailchimp: off" in shown.stdout
    assert as_json == {
        "id": int(integration_id),
        "name": "Supporters",
        "nightly_time": "02:00",
        "double_optin": False,
        "accept_profile_changes": False,
        "interests_follow_members": True,
        "removal_guard_percent": 10,
    }


def test_the_options_given_are_changed_and_printed(product: Product, integration_id: str) -> None:
    changed = product.cli_json(
        "mailchimp",
        "settings",
        integration_id,
        "--name",
        "Donors",
        "--nightly-time",
        "21:15",
        "--double-optin",
        "--accept-profile-changes",
        "--removal-guard",
        "30",
    )
    switched_off = product.cli_json("mailchimp", "settings", integration_id, "--no-double-optin")

    assert changed == {
        "id": int(integration_id),
        "name": "Donors",
        "nightly_time": "21:15",
        "double_optin": True,
        "accept_profile_changes": True,
        "interests_follow_members": True,
        "removal_guard_percent": 30,
    }
    assert switched_off == {**changed, "double_optin": False}


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--nightly-time", "25:00", "nightly_time: '25:00' is not HH:MM"),
        ("--removal-guard", "0", "removal_guard_percent: must be a whole percent from 1 to 100"),
        ("--name", " ", "name: must not be empty"),
    ],
)
@pytest.mark.slow
def test_a_bad_value_exits_2_naming_it_and_changes_nothing(
    product: Product, integration_id: str, option: str, value: str, named: str
) -> None:
    refused = product.cli("mailchimp", "settings", integration_id, option, value, "--double-optin")
    after = product.cli_json("mailchimp", "settings", integration_id)

    assert refused.returncode == 2
    assert named in refused.stderr
    assert (after["double_optin"], after["nightly_time"], after["removal_guard_percent"]) == (
        False,
        "02:00",
        10,
    )


@pytest.mark.slow
def test_an_unknown_integration_is_an_error(product: Product, integration_id: str) -> None:
    missing = product.cli("mailchimp", "settings", str(int(integration_id) + 1), "--nightly-time", "03:00")

    assert missing.returncode == 1
    assert "not found" in missing.stderr
