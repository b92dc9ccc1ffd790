"""Authentication and the problem+json errors every endpoint shares."""

from __future__ import annotations

import httpx

from tests.support.emulator import McAccount, RunningEmulator


def test_a_request_without_a_key_gets_401_api_key_missing(emulator: RunningEmulator) -> None:
    response = httpx.get(f"{emulator.api_base}/ping")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json; charset=utf-8"
    body = response.json()
    assert body["title"] == "API Key Missing"
    assert body["instance"] == response.headers["x-request-id"]


def test_a_wrong_key_gets_401_api_key_invalid(emulator: RunningEmulator) -> None:
    response = httpx.get(f"{emulator.api_base}/ping", auth=("any", "0" * 32 + "-us1"))
    assert response.status_code == 401
    assert response.json()["title"] == "API Key Invalid"


def test_a_bearer_api_key_is_accepted_like_basic_auth(mc_account: McAccount) -> None:
    headers = {"Authorization": f"Bearer {mc_account.api_key}"}
    response = httpx.get(f"{mc_account.emulator.api_base}/ping", headers=headers)
    assert response.json() == {"health_status": "Everything's Chimpy!"}


def test_the_root_describes_the_account_and_its_plan(emulator: RunningEmulator) -> None:
    created = emulator.create_account("forever_free")
    with emulator.api_client(created["api_key"]) as client:
        root = client.get("/").json()
    assert root["account_id"] == created["account_id"]
    assert root["pricing_plan_type"] == "forever_free"
    assert created["api_key"].endswith("-" + created["dc"])


def test_an_unknown_path_is_resource_not_found(mc_account: McAccount) -> None:
    response = mc_account.client.get("/lists/nope/members")
    assert response.status_code == 404
    assert response.json()["title"] == "Resource Not Found"


def test_a_wrong_method_is_405_with_the_allowed_methods(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    response = mc_account.client.put(f"/lists/{audience['id']}", json={})
    assert response.status_code == 405
    assert response.json()["title"] == "Method Not Allowed"
    assert set(response.headers["allow"].split(", ")) == {"GET", "PATCH", "DELETE", "POST"}


def test_a_body_that_is_not_json_is_a_json_parse_error(mc_account: McAccount) -> None:
    response = mc_account.client.post(
        "/lists", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["title"] == "JSON Parse Error"
