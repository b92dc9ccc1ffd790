"""The contact's Mailchimp panel: status in plain words per audience, our tags, last sync and the last
problem, and the re-confirm button only where Mailchimp holds the person unsubscribed."""

from __future__ import annotations

import pytest

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount, RunningEmulator
from tests.web.pages.conftest import Browser
from tests.web.pages.test_add_mailchimp import FILLED, NEW

ANN = "ann@mailbox.org"


@pytest.fixture
def ann(db: TestDatabase) -> int:
    with session_scope(db.sessions) as session:
        data = ContactCreate(
            first_name="Ann", last_name="<b>Lee</b>", emails=[EmailIn(address=ANN, is_primary=True)]
        )
        return create_contact(session, data, "test").id


def _sync(db: TestDatabase, settings: Settings, page_url: str, mode: RunMode = RunMode.incremental) -> None:
    """A sync run to its end (the engine itself: this file is about the panel, not the queue)."""
    run = run_sync(Database(db.engine, db.sessions), settings, int(page_url.rsplit("/", 1)[1]), mode=mode)
    assert run.status == RunStatus.succeeded, run.message


@pytest.fixture
def synced(admin: Browser, account: McAccount, ann: int, db: TestDatabase, settings: Settings) -> str:
    """Mailchimp connected (API key) and a first sync done; the Mailchimp page's URL."""
    response = admin.submit(NEW, {**FILLED, "api_key": account.api_key})
    assert response.status_code == 303, response.text
    page_url: str = response.headers["location"]
    _sync(db, settings, page_url)
    return page_url


def _audience_id(account: McAccount) -> str:
    [audience] = account.client.get("/lists").json()["lists"]
    return str(audience["id"])


def test_without_mailchimp_the_panel_says_how_to_connect_it(admin: Browser, ann: int) -> None:
    panel = admin.get(f"/contacts/{ann}/mailchimp").text
    assert "Mailchimp is not connected." in panel
    assert "<header" not in panel, "a fragment, not a page"


def test_a_synced_contact_is_shown_subscribed_with_its_audience_and_last_sync(
    admin: Browser, ann: int, synced: str
) -> None:
    panel = admin.get(f"/contacts/{ann}/mailchimp").text

    assert "Parks 2026" in panel
    assert "Subscribed: receives this audience&#39;s emails." in panel
    assert f"<dd>{ANN}</dd>" in panel
    assert "<dt>Last problem</dt><dd>None</dd>" in panel
    assert "UTC" in panel.split("Last sync")[1].split("</dd>")[0]
    assert "re-confirm" not in panel


@pytest.mark.slow
def test_someone_unsubscribed_in_mailchimp_can_be_asked_to_reconfirm(
    admin: Browser,
    ann: int,
    synced: str,
    account: McAccount,
    emulator: RunningEmulator,
    db: TestDatabase,
    settings: Settings,
) -> None:
    emulator.control("POST", f"lists/{_audience_id(account)}/members/{subscriber_hash(ANN)}/unsubscribe", {})
    # A resync reads the audience back (no webhook reaches this test app).
    _sync(db, settings, synced, RunMode.full)

    panel = admin.get(f"/contacts/{ann}/mailchimp").text

    assert "Unsubscribed: they asked Mailchimp to stop sending them" in panel
    problem = panel.split("<dt>Last problem</dt><dd>")[1].split("</dd>")[0]
    assert "nsubscribed" in problem, "why nothing is sent any more, in Mailchimp's or our words"
    assert f'action="/contacts/{ann}/mailchimp/' in panel and "Ask Mailchimp to re-confirm" in panel


@pytest.mark.slow
def test_a_bounced_address_cannot_be_asked_to_reconfirm(
    admin: Browser,
    ann: int,
    synced: str,
    account: McAccount,
    emulator: RunningEmulator,
    db: TestDatabase,
    settings: Settings,
) -> None:
    emulator.control("POST", f"lists/{_audience_id(account)}/members/{subscriber_hash(ANN)}/bounce", {})
    _sync(db, settings, synced, RunMode.full)

    panel = admin.get(f"/contacts/{ann}/mailchimp").text

    assert "Cleaned: the address bounced" in panel
    assert "re-confirm" not in panel


def test_an_unknown_contact_is_not_found(admin: Browser) -> None:
    assert admin.get("/contacts/999/mailchimp").status_code == 404


@pytest.mark.slow
def test_the_reconfirm_button_asks_mailchimp_for_an_opt_in_email_and_the_member_becomes_pending(
    admin: Browser,
    ann: int,
    synced: str,
    account: McAccount,
    emulator: RunningEmulator,
    db: TestDatabase,
    settings: Settings,
) -> None:
    audience_id = _audience_id(account)
    emulator.control("POST", f"lists/{audience_id}/members/{subscriber_hash(ANN)}/unsubscribe", {})
    _sync(db, settings, synced, RunMode.full)
    integration_id = synced.rsplit("/", 1)[1]

    response = admin.submit(f"/contacts/{ann}/mailchimp/{integration_id}/reconfirm")

    assert response.status_code == 303
    assert response.headers["location"] == f"/contacts/{ann}#mailchimp"
    assert f"Mailchimp is emailing {ANN} a link to confirm" in admin.get("/").text
    member = account.client.get(f"/lists/{audience_id}/members/{subscriber_hash(ANN)}").json()
    assert member["status"] == "pending"
    assert "Pending: Mailchimp has emailed them a link" in admin.get(f"/contacts/{ann}/mailchimp").text


@pytest.mark.slow
def test_reconfirming_a_subscribed_contact_is_refused_with_the_reason(
    admin: Browser, ann: int, synced: str, account: McAccount
) -> None:
    integration_id = synced.rsplit("/", 1)[1]

    response = admin.submit(f"/contacts/{ann}/mailchimp/{integration_id}/reconfirm")

    assert response.status_code == 303
    assert "is not unsubscribed or held for compliance" in admin.get("/").text
    member = account.client.get(f"/lists/{_audience_id(account)}/members/{subscriber_hash(ANN)}").json()
    assert member["status"] == "subscribed"


@pytest.mark.slow
def test_the_contact_summary_shows_the_panel(admin: Browser, ann: int, synced: str) -> None:
    summary = admin.get(f"/contacts/{ann}").text
    assert '<section class="card mailchimp-panel" id="mailchimp"' in summary
    assert "Subscribed: receives this audience&#39;s emails." in summary
