"""PATCH /api/v1/integrations/mailchimp/{id} over HTTP against the running app: administrators change the
settings, a bad or unknown field is named, staff and anonymous callers are refused; and switching
accept_profile_changes on makes a member's profile edit in Mailchimp change the contact."""

from __future__ import annotations

import httpx
import pytest

from constituent.auth.models import Role
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.inbound.helpers import activity_subjects, contact
from tests.integrations.mailchimp.sync.sync_helpers import add_people


def _path(live: Live) -> str:
    return f"/integrations/mailchimp/{live.integration_id}"


def test_an_admin_changes_settings_and_gets_the_integration_back(live: Live) -> None:
    with live.api() as api:
        changed = api.patch(_path(live), json={"nightly_time": "22:45", "removal_guard_percent": 40})
        shown = api.get(_path(live))

    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["nightly_time"], body["removal_guard_percent"]) == ("22:45", 40)
    assert (body["name"], body["double_optin"], body["accept_profile_changes"]) == (
        "Supporters",
        False,
        False,
    )
    assert shown.json() == body


def test_a_bad_value_is_a_422_naming_the_field(live: Live) -> None:
    with live.api() as api:
        bad_time = api.patch(_path(live), json={"nightly_time": "7pm"})
        bad_guard = api.patch(_path(live), json={"removal_guard_percent": 0})
        shown = api.get(_path(live)).json()

    assert bad_time.status_code == 422
    assert bad_time.json()["detail"][0]["loc"] == ["body", "nightly_time"]
    assert bad_guard.status_code == 422
    assert bad_guard.json()["detail"][0]["loc"] == ["body", "removal_guard_percent"]
    assert (shown["nightly_time"], shown["removal_guard_percent"]) == ("02:00", 10)


def test_an_unknown_or_mistyped_field_is_a_422_naming_it(live: Live) -> None:
    with live.api() as api:
        unknown = api.patch(_path(live), json={"audience_id": "other"})
        mistyped = api.patch(_path(live), json={"removal_guard_percent": "20"})

    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "audience_id"]
    assert mistyped.status_code == 422
    assert mistyped.json()["detail"][0]["loc"] == ["body", "removal_guard_percent"]


@pytest.mark.slow
def test_staff_get_403_and_no_token_gets_401(live: Live) -> None:
    with live.api(Role.staff) as staff:
        refused = staff.patch(_path(live), json={"double_optin": True})
        base = str(staff.base_url).rstrip("/")
    anonymous = httpx.patch(f"{base}{_path(live)}", json={"double_optin": True}, timeout=10)
    with live.api() as api:
        shown = api.get(_path(live)).json()

    assert refused.status_code == 403
    assert anonymous.status_code == 401
    assert shown["double_optin"] is False


@pytest.mark.slow
def test_switching_on_accept_profile_changes_applies_a_profile_edit_to_the_contact(live: Live) -> None:
    [kim] = add_people(live.product, "kim@mailbox.org")
    live.audience.sync()
    with live.api() as api:
        switched = api.patch(_path(live), json={"accept_profile_changes": True})
    live.person("kim@mailbox.org", "update-profile", merge_fields={"FNAME": "Kimberly"})
    live.settle(1)
    live.process()

    assert switched.json()["accept_profile_changes"] is True
    assert contact(live, kim).first_name == "Kimberly"
    assert not any("(not applied)" in subject for subject in activity_subjects(live, kim))
