"""The contact's Mailchimp panel: status in plain words per audience, our tags, last sync and the last
problem, and the re-confirm button only where Mailchimp holds the person unsubscribed."""

from __future__ import annotations

import pytest

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount, RunningEmulator
from tests.web.pages.conftest import Browser
from tests.web.pages.test_add_mailchimp import FILLED, NEW

ANN = "ann@example.org"


@pytest.fixture
def ann(db: TestDatabase) -> int:
    with session_scope(db.sessions) as session:
        data = ContactCreate(
            first_name="Ann", last_name="<b>Lee</b>", emails=[EmailIn(address=ANN, is_primary=True)]
        )
        return create_contact(session, data, "test").id


@pytest.fixture
def synced(admin: Browser, account: McAccount, ann: int) -> str:
    """Mailchimp connected (API key) and a first Force Sync done; the Mailchimp page's URL."""
    response = admin.submit(NEW, {**FILLED, "api_key": account.api_key})
    assert response.status_code == 303, response.text
    page_url: str = response.headers["location"]
    assert admin.submit(f"{page_url}/sync", {"mode": "incremental"}).status_code == 303
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


def test_someone_unsubscribed_in_mailchimp_can_be_asked_to_reconfirm(
    admin: Browser, ann: int, synced: str, account: McAccount, emulator: RunningEmulator
) -> None:
    emulator.control("POST", f"lists/{_audience_id(account)}/members/{subscriber_hash(ANN)}/unsubscribe", {})
    # A resync reads the audience back (no webhook reaches this test app).
    admin.submit(f"{synced}/sync", {"mode": "full"})

    panel = admin.get(f"/contacts/{ann}/mailchimp").text

    assert "Unsubscribed: they asked Mailchimp to stop sending them" in panel
    assert "Unsubscribed in Mailchimp;" in panel, "the reason nothing is sent any more, in plain words"
    assert f'action="/contacts/{ann}/mailchimp/' in panel and "Ask Mailchimp to re-confirm" in panel


def test_a_bounced_address_cannot_be_asked_to_reconfirm(
    admin: Browser, ann: int, synced: str, account: McAccount, emulator: RunningEmulator
) -> None:
    emulator.control("POST", f"lists/{_audience_id(account)}/members/{subscriber_hash(ANN)}/bounce", {})
    admin.submit(f"{synced}/sync", {"mode": "full"})

    panel = admin.get(f"/contacts/{ann}/mailchimp").text

    assert "Cleaned: the address bounced" in panel
    assert "re-confirm" not in panel


def test_an_unknown_contact_is_not_found(admin: Browser) -> None:
    assert admin.get("/contacts/999/mailchimp").status_code == 404
