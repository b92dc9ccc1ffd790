"""Integrations > Add Mailchimp: pre-filled from the organization settings, every problem shown on the
field it concerns, nothing stored when Mailchimp refuses; an API key connects against the emulator."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from constituent.crm.organization.service import get_settings
from constituent.integrations.mailchimp.models import MailchimpIntegration, PendingConnection
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount, RunningEmulator, account_on
from tests.web.pages.conftest import Browser

NEW = "/integrations/mailchimp/new"
FILLED = {
    "name": "Parks 2026",
    "connect_method": "api_key",
    "audience_choice": "new",
    "company": "Friends of Parks",
    "address1": "1 Elm St",
    "city": "Springfield",
    "country": "us",
    "permission_reminder": "You signed up at one of our events.",
    "from_name": "Friends of Parks",
    "from_email": "news@parks.co.uk",
    "subject": "Parks news",
    "language": "en",
    "mode": "all",
    "initial_sync": "everyone",
    "nightly_time": "02:00",
}


def _stored(db: TestDatabase, model: type[Any] = MailchimpIntegration) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _invalid_field_ids(html: str) -> set[str]:
    return set(re.findall(r'id="f-([a-z_0-9]+)"[^>]*aria-invalid="true"', html, flags=re.S))


def test_the_form_is_filled_from_the_organization_settings_and_marks_required_fields(
    admin: Browser, db: TestDatabase
) -> None:
    with session_scope(db.sessions) as session:
        org = get_settings(session)
        org.organization_name, org.street, org.city = "Friends of Parks", "1 Elm St", "Springfield"
        org.from_name, org.from_email = "Parks Team", "news@parks.co.uk"

    page = admin.get(NEW)

    assert page.status_code == 200
    for value in ("Friends of Parks", "1 Elm St", "Springfield", "Parks Team", "news@parks.co.uk"):
        assert f'value="{value}"' in page.text
    assert 'value="News from Parks Team"' in page.text
    for label in ("Integration name", "Organization or committee name", "Permission reminder", "From email"):
        assert re.search(rf'{label}\s*<span class="required" aria-hidden="true">\*</span>', page.text), label
    assert re.search(r'id="connect-oauth"[^>]*disabled>', page.text), "no OAuth app configured"
    assert "Mailchimp login needs an OAuth app" in page.text


def test_a_form_missing_required_fields_names_each_and_marks_it(admin: Browser, db: TestDatabase) -> None:
    blank = {**FILLED, "name": "", "company": "", "from_email": "", "api_key": ""}

    response = admin.submit(NEW, blank)

    assert response.status_code == 400
    assert "Mailchimp was not connected" in response.text
    for label in ("Integration name", "Organization or committee name", "From email", "API key"):
        assert f"{label}: This field is required." in response.text
    assert {"name", "company", "from_email", "api_key"} <= _invalid_field_ids(response.text)
    assert 'value="Springfield"' in response.text, "what was typed is kept"
    assert _stored(db) == 0


def test_choosing_an_existing_audience_asks_for_its_id_only(admin: Browser) -> None:
    response = admin.submit(NEW, {"name": "Parks", "audience_choice": "existing", "api_key": "k-us1"})

    assert response.status_code == 400
    assert _invalid_field_ids(response.text) == {"audience_id"}


def test_groups_mode_needs_a_group(admin: Browser) -> None:
    response = admin.submit(NEW, {**FILLED, "api_key": "k-us1", "mode": "groups"})

    assert response.status_code == 400
    assert "Choose at least one group" in response.text
    assert 'id="f-groups" name="groups" multiple' in response.text
    assert 'aria-invalid="true" aria-describedby="f-groups-error"' in response.text


def test_a_badly_formed_time_and_email_are_explained(admin: Browser) -> None:
    response = admin.submit(
        NEW, {**FILLED, "api_key": "k-us1", "from_email": "not an email", "nightly_time": "25:00"}
    )

    assert response.status_code == 400
    assert "is not a valid email address" in response.text
    assert "Nightly sync time: nightly_time must be HH:MM (24-hour), e.g. 02:00." in response.text
    assert _invalid_field_ids(response.text) == {"from_email", "nightly_time"}


def test_an_api_key_without_a_data_center_is_marked_on_its_field(admin: Browser, db: TestDatabase) -> None:
    response = admin.submit(NEW, {**FILLED, "api_key": "0123456789abcdef"})

    assert response.status_code == 400
    assert "The API key looks wrong" in response.text
    assert _invalid_field_ids(response.text) == {"api_key"}
    assert _stored(db) == 0


def test_a_key_mailchimp_refuses_is_marked_on_its_field(admin: Browser, db: TestDatabase) -> None:
    response = admin.submit(NEW, {**FILLED, "api_key": "0123456789abcdef0123456789abcdef-us9"})

    assert response.status_code == 400
    assert "Mailchimp did not accept these credentials" in response.text
    assert _invalid_field_ids(response.text) == {"api_key"}
    assert _stored(db) == 0


def test_a_full_plan_shows_the_way_out_and_keeps_nothing(
    admin: Browser, db: TestDatabase, emulator: RunningEmulator
) -> None:
    full = account_on(emulator, "forever_free")
    full.new_list("Made in Mailchimp")

    response = admin.submit(NEW, {**FILLED, "api_key": full.api_key})

    assert response.status_code == 400
    assert "Your Mailchimp plan allows no more audiences" in response.text
    assert "choose one of your existing audiences" in response.text
    assert 'id="error-summary-title"' in response.text
    assert _stored(db) == 0
    assert len(full.client.get("/lists").json()["lists"]) == 1
    full.client.close()


def test_an_api_key_connects_and_lands_on_the_mailchimp_page(
    admin: Browser, db: TestDatabase, account: McAccount
) -> None:
    response = admin.submit(NEW, {**FILLED, "api_key": account.api_key})

    assert response.status_code == 303, response.text
    page = admin.get(response.headers["location"])
    assert "Mailchimp is connected to the audience &#39;Parks 2026&#39;." in page.text
    [audience] = account.client.get("/lists").json()["lists"]
    assert f"ID {audience['id']}" in page.text
    # The test server is not reachable from the emulator, so Mailchimp could not validate the webhook.
    assert "webhook not registered: Mailchimp said:" in page.text
    assert _stored(db) == 1


def test_choosing_mailchimp_login_stores_the_form_and_sends_the_person_to_mailchimp(
    admin: Browser, db: TestDatabase, settings: Settings, emulator: RunningEmulator
) -> None:
    settings.mailchimp_client_id, settings.mailchimp_client_secret = "client-1", "secret-1"

    response = admin.submit(NEW, {**FILLED, "connect_method": "oauth"})

    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == emulator.base_url
    assert location.path == "/oauth2/authorize"
    assert parse_qs(location.query)["client_id"] == ["client-1"]
    assert _stored(db, PendingConnection) == 1
    assert _stored(db) == 0


def test_staff_members_cannot_add_integrations(staff: Browser) -> None:
    assert staff.get(NEW).status_code == 403
    assert staff.submit(NEW, FILLED).status_code == 403
    assert "Only administrators can add integrations." in staff.get("/integrations").text
