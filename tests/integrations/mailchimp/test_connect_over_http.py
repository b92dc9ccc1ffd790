"""Connecting through Mailchimp's OAuth login, end to end over HTTP: our app, the emulator's login page,
the callback, and the webhook Mailchimp validates against our running server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from constituent.auth import service as auth_service
from constituent.auth.models import Role
from constituent.integrations.mailchimp.models import MailchimpIntegration, WebhookState
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.support.emulator import RunningEmulator
from tests.support.live_app import free_port, serve_app

FORM = {
    "name": "Parks 2026",
    "contact": {
        "company": "Friends of Parks",
        "address1": "1 Elm St",
        "city": "Springfield",
        "country": "US",
    },
    "permission_reminder": "You signed up at one of our events.",
    "campaign_defaults": {
        "from_name": "Friends of Parks",
        "from_email": "news@parks.co.uk",
        "subject": "News",
    },
}


@dataclass
class Stage:
    app: httpx.Client  # our API, as an admin
    browser: httpx.Client  # a person's browser: no token, follows nothing by itself
    emulator: RunningEmulator
    login: str
    password: str
    db: TestDatabase
    settings: Settings

    def stored_token(self, integration_id: int) -> str:
        with self.db.sessions() as session:
            stored = session.get(MailchimpIntegration, integration_id)
            assert stored is not None and stored.secret_encrypted
            return SecretBox.from_settings(self.settings).decrypt(stored.secret_encrypted)


@pytest.fixture
def stage(db: TestDatabase, emulator: RunningEmulator, tmp_path: Path) -> Iterator[Stage]:
    sock = free_port()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    oauth_app = emulator.control(
        "POST", "oauth-apps", {"redirect_uris": [f"{base_url}/integrations/mailchimp/oauth/callback"]}
    )
    login, password = f"parks-{tmp_path.name}", "correct horse"
    emulator.create_account("monthly", login=login, password=password)
    settings = Settings(
        data_dir=tmp_path / "data",
        base_url=base_url,
        mailchimp_api_base=emulator.api_base,
        mailchimp_oauth_base=emulator.base_url,
        mailchimp_client_id=oauth_app["client_id"],
        mailchimp_client_secret=oauth_app["client_secret"],
    )
    with session_scope(db.sessions) as session:
        auth_service.create_user(session, "admin@mailbox.org", "admin password", role=Role.admin)
        token = auth_service.create_token(session, "admin@mailbox.org").raw
    with serve_app(settings, Database(db.engine, db.sessions), sock) as live:
        headers = {"Authorization": f"Bearer {token}"}
        with (
            httpx.Client(base_url=f"{live.base_url}/api/v1", headers=headers, timeout=30) as app,
            httpx.Client(timeout=30) as browser,
        ):
            yield Stage(app, browser, emulator, login, password, db, settings)


def _start(stage: Stage) -> str:
    response = stage.app.post("/integrations/mailchimp", json={**FORM, "auth": "oauth"})
    assert response.status_code == 202, response.text
    url: str = response.json()["authorize_url"]
    return url


def _submit_login(stage: Stage, authorize_url: str, **answers: str) -> httpx.Response:
    """Do what a person does on Mailchimp's login page; returns the redirect Mailchimp answers with."""
    page = stage.browser.get(authorize_url)
    assert page.status_code == 200
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    fields = {
        unescape(n): unescape(v)
        for n, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }
    response = stage.browser.post(httpx.URL(authorize_url).join(action), data={**fields, **answers})
    assert response.status_code in (302, 303), response.text
    return response


def _integrations(stage: Stage) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = stage.app.get("/integrations/mailchimp").json()
    return listed


def _connect_through_login(stage: Stage) -> dict[str, Any]:
    redirect = _submit_login(
        stage, _start(stage), username=stage.login, password=stage.password, decision="allow"
    )
    landing = stage.browser.get(redirect.headers["location"])
    assert landing.status_code == 200, landing.text
    assert "Mailchimp connected" in landing.text
    [integration] = _integrations(stage)
    return integration


def test_logging_in_at_mailchimp_connects_the_audience_with_the_token_stored_encrypted(stage: Stage) -> None:
    integration = _connect_through_login(stage)

    assert integration["auth_kind"] == "oauth"
    token = stage.stored_token(integration["id"])
    with stage.db.engine.connect() as connection:
        raw = connection.execute(text("SELECT secret_encrypted FROM mailchimp_integrations")).scalar_one()
    assert token not in raw
    audience = httpx.get(
        f"{stage.emulator.api_base}/lists/{integration['audience_id']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert audience.json()["name"] == "Parks 2026"


@pytest.mark.slow
def test_the_webhook_is_registered_against_our_running_server_without_the_api_source(stage: Stage) -> None:
    integration = _connect_through_login(stage)

    assert integration["webhook_state"] == WebhookState.registered
    token = stage.stored_token(integration["id"])
    listed = httpx.get(
        f"{stage.emulator.api_base}/lists/{integration['audience_id']}/webhooks",
        headers={"Authorization": f"Bearer {token}"},
    ).json()["webhooks"]
    assert [w["id"] for w in listed] == [integration["webhook_id"]]
    assert listed[0]["url"].startswith(f"{stage.settings.base_url}/webhooks/mailchimp/{integration['id']}/")
    assert listed[0]["sources"] == {"user": True, "admin": True, "api": False}
    assert all(
        listed[0]["events"][e]
        for e in ("subscribe", "unsubscribe", "profile", "upemail", "cleaned", "campaign")
    )


@pytest.mark.slow
def test_our_webhook_url_answers_404_to_a_wrong_secret(stage: Stage) -> None:
    integration = _connect_through_login(stage)
    token = stage.stored_token(integration["id"])
    url = httpx.get(
        f"{stage.emulator.api_base}/lists/{integration['audience_id']}/webhooks",
        headers={"Authorization": f"Bearer {token}"},
    ).json()["webhooks"][0]["url"]

    assert stage.browser.get(url).status_code == 200
    assert stage.browser.get(url.rsplit("/", 1)[0] + "/wrong-secret").status_code == 404
    assert stage.browser.get(f"{stage.settings.base_url}/webhooks/mailchimp/999/x").status_code == 404


def test_a_callback_with_an_unknown_state_connects_nothing(stage: Stage) -> None:
    authorize_url = _start(stage)
    redirect = _submit_login(
        stage, authorize_url, username=stage.login, password=stage.password, decision="allow"
    )
    forged = re.sub(r"state=[^&]+", "state=forged", redirect.headers["location"])

    landing = stage.browser.get(forged)

    assert landing.status_code == 400
    assert "does not match a connection in progress" in landing.text
    assert _integrations(stage) == []


def test_a_state_cannot_be_used_twice(stage: Stage) -> None:
    redirect = _submit_login(
        stage, _start(stage), username=stage.login, password=stage.password, decision="allow"
    )
    assert stage.browser.get(redirect.headers["location"]).status_code == 200
    again = stage.browser.get(redirect.headers["location"])
    assert again.status_code == 400
    assert len(_integrations(stage)) == 1


def test_denying_at_mailchimp_connects_nothing_and_says_so(stage: Stage) -> None:
    redirect = _submit_login(stage, _start(stage), username=stage.login, password="", decision="deny")
    landing = stage.browser.get(redirect.headers["location"])
    assert landing.status_code == 400
    assert "login was cancelled" in landing.text
    assert _integrations(stage) == []


def test_the_api_connects_with_an_api_key_and_removes_keeping_the_audience(stage: Stage) -> None:
    account = stage.emulator.create_account("monthly")
    created = stage.app.post("/integrations/mailchimp", json={**FORM, "api_key": account["api_key"]})
    assert created.status_code == 201, created.text
    integration = created.json()
    assert integration["webhook_state"] == "registered"
    assert "api_key" not in integration and account["api_key"] not in created.text

    removed = stage.app.delete(f"/integrations/mailchimp/{integration['id']}")

    assert removed.status_code == 200
    assert "stays in Mailchimp" in removed.json()["detail"]
    assert _integrations(stage) == []
    with stage.emulator.api_client(account["api_key"]) as client:
        assert client.get(f"/lists/{integration['audience_id']}").status_code == 200
        assert client.get(f"/lists/{integration['audience_id']}/webhooks").json()["webhooks"] == []


def test_a_malformed_api_key_is_a_422_naming_the_field(stage: Stage) -> None:
    response = stage.app.post("/integrations/mailchimp", json={**FORM, "api_key": "no-data-center-"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "api_key"


def test_oauth_without_a_configured_app_says_how_to_configure_it(
    db: TestDatabase, emulator: RunningEmulator, tmp_path: Path
) -> None:
    sock = free_port()
    settings = Settings(data_dir=tmp_path / "data", mailchimp_api_base=emulator.api_base)
    with session_scope(db.sessions) as session:
        auth_service.create_user(session, "admin@mailbox.org", "admin password", role=Role.admin)
        token = auth_service.create_token(session, "admin@mailbox.org").raw
    with serve_app(settings, Database(db.engine, db.sessions), sock) as live:
        response = httpx.post(
            f"{live.base_url}/api/v1/integrations/mailchimp",
            json={**FORM, "auth": "oauth"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 400
    assert "CONSTITUENT_MAILCHIMP_CLIENT_ID" in response.json()["detail"]


@pytest.mark.slow
def test_the_api_maps_a_group_as_an_interest_and_lists_the_mappings(stage: Stage) -> None:
    account = stage.emulator.create_account("monthly")
    integration = stage.app.post(
        "/integrations/mailchimp", json={**FORM, "api_key": account["api_key"]}
    ).json()
    group = stage.app.post("/groups", json={"name": "Volunteers"}).json()

    mapped = stage.app.put(
        f"/integrations/mailchimp/{integration['id']}/mappings/groups/{group['id']}",
        json={"target": "interest"},
    )

    assert mapped.status_code == 200, mapped.text
    [row] = [m for m in mapped.json() if m["kind"] == "group"]
    assert (row["target"], row["remote_name"]) == ("interest", "Volunteers")
    with stage.emulator.api_client(account["api_key"]) as client:
        category = integration_category(client, integration["audience_id"])
        interests = client.get(
            f"/lists/{integration['audience_id']}/interest-categories/{category}/interests"
        )
    assert [i["id"] for i in interests.json()["interests"]] == [row["interest_id"]]
    prefixed = stage.app.put(
        f"/integrations/mailchimp/{integration['id']}/tag-prefix", json={"prefix": "CRM: "}
    )
    assert prefixed.status_code == 200
    listed = stage.app.get(f"/integrations/mailchimp/{integration['id']}/mappings").json()
    assert all(m["remote_name"].startswith("CRM: ") for m in listed if m["target"] == "tag")


def integration_category(client: httpx.Client, audience_id: str) -> str:
    category: str = client.get(f"/lists/{audience_id}/interest-categories").json()["categories"][0]["id"]
    return category


def test_start_the_first_sync_now_is_kept_through_mailchimps_login_and_queues_the_first_sync(
    stage: Stage,
) -> None:
    """Issue 14: the choice travels with the pending form to the OAuth return, which queues the run."""
    response = stage.app.post(
        "/integrations/mailchimp", json={**FORM, "auth": "oauth", "start_first_sync": True}
    )
    assert response.status_code == 202, response.text
    redirect = _submit_login(
        stage,
        response.json()["authorize_url"],
        username=stage.login,
        password=stage.password,
        decision="allow",
    )
    assert stage.browser.get(redirect.headers["location"]).status_code == 200
    [integration] = _integrations(stage)

    runs = stage.app.get(f"/integrations/mailchimp/{integration['id']}/runs").json()

    # Queued for the workers (none run in this test), as the first sync.
    assert [(run["trigger"], run["status"]) for run in runs] == [("first_sync", "queued")]


@pytest.mark.slow
def test_without_start_the_first_sync_now_connecting_starts_no_run(stage: Stage) -> None:
    integration = _connect_through_login(stage)

    assert stage.app.get(f"/integrations/mailchimp/{integration['id']}/runs").json() == []
