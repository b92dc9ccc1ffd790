"""The OAuth 2 flow: login page, code, token, metadata; and the token used as Bearer on /3.0."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.emulator import RunningEmulator

REDIRECT = "https://crm.example/integrations/mailchimp/callback"
PASSWORD = "correct horse"


@dataclass
class OAuthSetup:
    emulator: RunningEmulator
    http: httpx.Client
    client_id: str
    client_secret: str
    login: str
    account: dict[str, Any]

    def authorize(self, **overrides: str) -> httpx.Response:
        form = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": REDIRECT,
            "state": "xyz-123",
            "username": self.login,
            "password": PASSWORD,
            "decision": "allow",
            **overrides,
        }
        return self.http.post("/oauth2/authorize", data=form)

    def code(self) -> str:
        return redirect_params(self.authorize())["code"]

    def exchange(self, code: str, **overrides: str) -> httpx.Response:
        form = {
            "grant_type": "authorization_code",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uri": REDIRECT,
            "code": code,
            **overrides,
        }
        return self.http.post("/oauth2/token", data=form)


def redirect_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def oauth(emulator: RunningEmulator) -> Iterator[OAuthSetup]:
    app = emulator.control("POST", "oauth-apps", {"redirect_uris": [REDIRECT], "name": "Constituent"})
    login = f"admin-{uuid.uuid4().hex[:8]}"
    account = emulator.create_account(login=login, password=PASSWORD, account_name="Friends of the Park")
    with httpx.Client(base_url=emulator.base_url, follow_redirects=False) as http:
        yield OAuthSetup(emulator, http, app["client_id"], app["client_secret"], login, account)


def test_the_authorize_page_asks_for_a_login(oauth: OAuthSetup) -> None:
    query = {"response_type": "code", "client_id": oauth.client_id, "redirect_uri": REDIRECT, "state": "s1"}

    page = oauth.http.get("/oauth2/authorize", params=query)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'name="password"' in page.text and 'value="s1"' in page.text and "Constituent" in page.text


def test_logging_in_redirects_with_a_code_that_buys_a_working_token(oauth: OAuthSetup) -> None:
    params = redirect_params(oauth.authorize())
    token = oauth.exchange(params["code"])

    assert params["state"] == "xyz-123"
    assert token.status_code == 200
    body = token.json()
    assert (body["expires_in"], body["scope"]) == (0, None)
    ping = oauth.http.get("/3.0/ping", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert ping.status_code == 200


def test_metadata_names_the_account_and_points_back_at_the_emulator(oauth: OAuthSetup) -> None:
    access_token = oauth.exchange(oauth.code()).json()["access_token"]

    metadata = oauth.http.get("/oauth2/metadata", headers={"Authorization": f"OAuth {access_token}"})

    body = metadata.json()
    assert metadata.status_code == 200
    assert (body["dc"], body["accountname"], body["role"]) == (
        oauth.account["dc"],
        "Friends of the Park",
        "owner",
    )
    assert body["login"]["login_name"] == oauth.login
    assert body["api_endpoint"] == oauth.emulator.base_url
    root = oauth.http.get(f"{body['api_endpoint']}/3.0/", headers={"Authorization": f"Bearer {access_token}"})
    assert root.json()["account_id"] == oauth.account["account_id"]


def test_metadata_wants_the_oauth_scheme_not_bearer(oauth: OAuthSetup) -> None:
    access_token = oauth.exchange(oauth.code()).json()["access_token"]

    metadata = oauth.http.get("/oauth2/metadata", headers={"Authorization": f"Bearer {access_token}"})

    assert metadata.status_code == 401
    assert metadata.json()["error"] == "invalid_token"


def test_a_wrong_password_shows_the_page_again_with_an_error(oauth: OAuthSetup) -> None:
    response = oauth.authorize(password="wrong")

    assert response.status_code == 200
    assert "don&#39;t match" in response.text
    assert f'value="{oauth.login}"' in response.text
    issued = oauth.emulator.store.oauth_codes.values()
    assert all(code.account_id != oauth.account["account_id"] for code in issued)


def test_deny_redirects_with_access_denied_and_the_state(oauth: OAuthSetup) -> None:
    params = redirect_params(oauth.authorize(decision="deny", password=""))

    assert params == {"error": "access_denied", "state": "xyz-123"}


def test_an_unregistered_redirect_uri_is_refused_without_redirecting(oauth: OAuthSetup) -> None:
    response = oauth.authorize(redirect_uri="https://evil.example/steal")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_secret": "not-the-secret"}, "invalid_client"),
        ({"redirect_uri": "https://crm.example/other"}, "invalid_grant"),
        ({"code": "made-up-code"}, "invalid_grant"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
    ],
)
def test_the_token_endpoint_refuses_anything_that_does_not_match(
    oauth: OAuthSetup, change: dict[str, str], error: str
) -> None:
    response = oauth.exchange(**{"code": oauth.code(), **change})

    assert response.status_code == 400
    assert response.json()["error"] == error


def test_a_code_buys_only_one_token(oauth: OAuthSetup) -> None:
    code = oauth.code()

    first, second = oauth.exchange(code), oauth.exchange(code)

    assert first.status_code == 200
    assert (second.status_code, second.json()["error"]) == (400, "invalid_grant")


def test_a_code_left_unused_too_long_expires(oauth: OAuthSetup) -> None:
    code = oauth.code()
    oauth.emulator.store.oauth_codes[code].created_at -= timedelta(minutes=11)

    response = oauth.exchange(code)

    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
