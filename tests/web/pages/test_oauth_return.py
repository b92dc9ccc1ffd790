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


def test_deny_at_mailchimps_login_brings_the_form_back_filled_in_with_the_reason(
    admin: Browser, settings: Settings, db: TestDatabase
) -> None:
    """Issue 16: pressing Deny on Mailchimp's login ended on a bare unstyled page, and everything typed
    into Add Mailchimp was lost. Mailchimp sends the person back with error=access_denied (its OAuth)."""
    state = _started_by(admin, settings)

    back = admin.client.get(
        CALLBACK, params={"state": state, "error": "access_denied"}, follow_redirects=False
    )

    assert back.status_code == 303 and back.headers["location"] == NEW
    form = admin.get(NEW)
    assert form.status_code == 400
    assert "the login was cancelled" in form.text
    assert 'class="site-header"' in form.text
    assert 'value="Parks 2026"' in form.text and 'value="1 Elm St"' in form.text
    assert 'value="news@parks.co.uk"' in form.text
    assert "the login was cancelled" not in admin.get(NEW).text, "said once, then a fresh form"
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MailchimpIntegration)) == 0


def test_a_refused_return_without_a_session_is_a_page_in_the_apps_layout(visitor: Browser) -> None:
    response = visitor.client.get(CALLBACK, params={"state": "unknown", "code": "x"})

    assert response.status_code == 400
    assert "does not match a connection in progress" in response.text
    assert 'class="site-header"' in response.text and "Back to the dashboard" in response.text


def test_an_address_with_no_page_answers_a_page_in_the_layout_for_browsers_and_json_for_scripts(
    admin: Browser,
) -> None:
    page = admin.client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert 'class="site-header"' in page.text and "There is no page at this address." in page.text
    assert "Back to the dashboard" in page.text

    script = admin.client.get("/no-such-page", headers={"Accept": "application/json"})
    assert script.status_code == 404 and script.json() == {"detail": "Not Found"}
