"""The REST API, the CLI and the page create the same audience from the same input: what a person
leaves out (postal contact, sender, permission reminder) comes from the organization settings through
`audience_defaults` (before, REST applied none and refused the request, and the CLI used another
permission reminder than the page)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from constituent.auth import service as auth_service
from constituent.auth.models import Role
from constituent.crm.organization import service as organization
from constituent.crm.organization.schemas import OrganizationSettingsUpdate
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.web.app import create_app
from tests.integrations.mailchimp.conftest import Product
from tests.support.emulator import account_on

REMINDER = (
    "You are receiving this email because you signed up with Friends of Parks or gave us your email address."
)


@pytest.fixture
def organized(product: Product) -> Product:
    with session_scope(product.db.sessions) as session:
        organization.update_settings(
            session,
            OrganizationSettingsUpdate(
                organization_name="Friends of Parks",
                street="1 Elm St",
                city="Springfield",
                country="US",
                from_name="Parks news",
                from_email="news@parks.co.uk",
            ),
        )
        auth_service.create_user(session, "admin@mailbox.org", "an admin password", role=Role.admin)
    return product


def the_audience(product: Product, api_key: str) -> dict[str, Any]:
    with product.emulator.api_client(api_key) as client:
        [audience] = client.get("/lists").json()["lists"]
    return dict(audience)


def test_the_api_fills_what_the_request_leaves_out_from_the_organization(organized: Product) -> None:
    account = account_on(organized.emulator, "monthly")
    with session_scope(organized.db.sessions) as session:
        token = auth_service.create_token(session, "admin@mailbox.org").raw
    app = create_app(organized.settings, database=Database(organized.db.engine, organized.db.sessions))
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app, base_url="http://testserver/api/v1", headers=headers) as api:
        created = api.post("/integrations/mailchimp", json={"name": "Supporters", "api_key": account.api_key})

    assert created.status_code == 201, created.text
    audience = the_audience(organized, account.api_key)
    assert (audience["contact"]["company"], audience["contact"]["city"]) == (
        "Friends of Parks",
        "Springfield",
    )
    assert audience["campaign_defaults"]["from_email"] == "news@parks.co.uk"
    assert audience["campaign_defaults"]["subject"] == "News from Parks news"
    assert audience["permission_reminder"] == REMINDER


def test_the_cli_creates_the_same_audience_from_the_same_input(organized: Product) -> None:
    account = account_on(organized.emulator, "monthly")

    done = organized.cli(
        "mailchimp", "connect", "--api-key-stdin", "--name", "Supporters", stdin=account.api_key
    )

    assert done.returncode == 0, done.stderr
    audience = the_audience(organized, account.api_key)
    assert audience["contact"]["company"] == "Friends of Parks"
    assert audience["campaign_defaults"]["subject"] == "News from Parks news"
    assert audience["permission_reminder"] == REMINDER
