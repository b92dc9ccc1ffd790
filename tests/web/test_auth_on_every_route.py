"""Every /api/v1 endpoint needs a live Bearer token; /healthz and the API's own docs do not."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount

from tests.web.conftest import Tokens, client_for


def api_endpoints(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every API operation, path parameters filled in: new routes are covered too.

    Read from the API's own OpenAPI document, FastAPI's public list of what the app serves.
    """
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/api/v1")
    api = mount.app
    assert isinstance(api, FastAPI)
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in api.openapi()["paths"].items()
        for method in operations
    ]


def _assert_unauthorized(client: TestClient, app: FastAPI) -> None:
    endpoints = api_endpoints(app)
    assert len(endpoints) > 20
    for method, path in endpoints:
        response = client.request(method, path)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.slow
def test_every_api_route_refuses_a_call_without_a_token(app: FastAPI) -> None:
    _assert_unauthorized(TestClient(app, base_url="http://testserver/api/v1"), app)


@pytest.mark.slow
def test_every_api_route_refuses_an_unknown_token(app: FastAPI, tokens: Tokens) -> None:
    _assert_unauthorized(client_for(app, tokens.staff[:-2] + "xx"), app)


@pytest.mark.slow
def test_every_api_route_refuses_a_revoked_token(app: FastAPI, tokens: Tokens) -> None:
    _assert_unauthorized(client_for(app, tokens.revoked), app)


@pytest.mark.parametrize("header", ["Basic YWRtaW46cGFzcw==", "Bearer", "Token cst_abc"])
def test_a_malformed_authorization_header_is_unauthorized(app: FastAPI, header: str) -> None:
    response = TestClient(app).get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_health_answers_without_a_token(anonymous: TestClient) -> None:
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_a_valid_token_identifies_its_user(api: TestClient) -> None:
    assert api.get("/me").json()["email"] == "staff@mailbox.org"


def test_the_openapi_document_describes_the_api_and_its_bearer_scheme(anonymous: TestClient) -> None:
    document = anonymous.get("/api/v1/openapi.json").json()
    assert document["servers"] == [{"url": "/api/v1"}]
    assert {"/contacts", "/groups/{group_id}/members", "/memberships/{membership_id}/rejoin"} <= set(
        document["paths"]
    )
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert anonymous.get("/api/v1/docs").status_code == 200


@pytest.mark.slow
def test_staff_may_read_but_not_change_the_organization_settings(
    api: TestClient, admin_api: TestClient
) -> None:
    assert api.get("/organization").status_code == 200
    refused = api.put("/organization", json={"organization_name": "Staff Takeover"})
    assert refused.status_code == 403
    changed = admin_api.put("/organization", json={"organization_name": "Friends of the Park"})
    assert changed.status_code == 200
    assert api.get("/organization").json()["organization_name"] == "Friends of the Park"


def test_metrics_refuse_a_call_without_a_live_token(app: FastAPI, tokens: Tokens) -> None:
    for headers in (
        {},
        {"Authorization": f"Bearer {tokens.revoked}"},
        {"Authorization": "Basic YWRtaW46cGFzcw=="},
    ):
        response = TestClient(app).get("/metrics", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_metrics_answer_a_token_holder_with_numbers_only(app: FastAPI, tokens: Tokens) -> None:
    response = TestClient(app).get("/metrics", headers={"Authorization": f"Bearer {tokens.staff}"})
    assert response.status_code == 200
    assert "constituent_webhook_inbox_depth 0.0" in response.text
    assert "@" not in response.text
