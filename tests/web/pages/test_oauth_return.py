"""Coming back from Mailchimp's login: a browser logged in as someone else cannot finish another
user's connection, and the state is used up either way."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from constituent.integrations.mailchimp.models import MailchimpIntegration, PendingConnection
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.test_add_mailchimp import FILLED, NEW

CALLBACK = "/integrations/mailchimp/oauth/callback"


def _started_by(admin: Browser, settings: Settings) -> str:
    settings.mailchimp_client_id, settings.mailchimp_client_secret = "client-1", "secret-1"
    response = admin.submit(NEW, {**FILLED, "connect_method": "oauth"})
    [state] = parse_qs(urlsplit(response.headers["location"]).query)["state"]
    return state


def test_another_logged_in_user_cannot_finish_a_connection_someone_else_started(
    admin: Browser, staff: Browser, settings: Settings, db: TestDatabase
) -> None:
    state = _started_by(admin, settings)

    response = staff.client.get(CALLBACK, params={"state": state, "code": "any"}, follow_redirects=False)

    assert response.status_code == 400
    assert "started by another user" in response.text
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PendingConnection)) == 0
        assert session.scalar(select(func.count()).select_from(MailchimpIntegration)) == 0
