"""The Mailchimp page of one integration: what it shows, Force Sync and Resync running the real sync
engine against the emulator, and Remove keeping the audience."""

from __future__ import annotations

import pytest

from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount, RunningEmulator
from tests.web.pages.conftest import Browser
from tests.web.pages.test_add_mailchimp import FILLED, NEW


@pytest.fixture
def page_url(admin: Browser, account: McAccount, db: TestDatabase) -> str:
    with session_scope(db.sessions) as session:
        for first, email in (("Ann", "ann@mailbox.org"), ("Bo", "bo@mailbox.org")):
            data = ContactCreate(first_name=first, emails=[EmailIn(address=email, is_primary=True)])
            create_contact(session, data, "test")
    response = admin.submit(NEW, {**FILLED, "api_key": account.api_key})
    assert response.status_code == 303, response.text
    url: str = response.headers["location"]
    return url


def _address(email: str) -> EmailIn:
    return EmailIn(address=email, is_primary=True)


def _members(account: McAccount) -> set[str]:
    [audience] = account.client.get("/lists").json()["lists"]
    members = account.client.get(f"/lists/{audience['id']}/members", params={"count": 100}).json()
    return {m["email_address"] for m in members["members"]}


def test_the_page_shows_account_audience_mode_and_that_nothing_synced_yet(
    admin: Browser, page_url: str, emulator: RunningEmulator
) -> None:
    page = admin.get(page_url).text
    assert "Parks 2026" in page
    assert "All individuals" in page
    assert f'href="{emulator.api_base}/lists/' in page
    assert "No sync has run yet." in admin.get(f"{page_url}/history").text
    assert ">Start the first sync</button>" in page and ">Resync</button>" not in page
    assert "waiting for you to start the first sync" in page


@pytest.mark.slow
def test_force_sync_runs_the_sync_and_says_what_it_did(
    admin: Browser, page_url: str, account: McAccount, db: TestDatabase
) -> None:
    first = admin.submit(f"{page_url}/sync", {"mode": "incremental"})
    with session_scope(db.sessions) as session:
        create_contact(session, ContactCreate(first_name="Cy", emails=[_address("cy@mailbox.org")]), "test")

    response = admin.submit(f"{page_url}/sync", {"mode": "incremental"})

    assert first.status_code == 303 and response.status_code == 303
    page = admin.get(page_url).text
    assert "Force Sync finished: changes since the last sync, started in the app: 1 added" in page
    assert "First sync: 2 added" in admin.get(f"{page_url}/history").text  # the first run
    assert _members(account) == {"ann@mailbox.org", "bo@mailbox.org", "cy@mailbox.org"}


@pytest.mark.slow
def test_resync_reads_the_audience_back_and_changes_nothing_already_in_step(
    admin: Browser, page_url: str, account: McAccount
) -> None:
    admin.submit(f"{page_url}/sync", {"mode": "incremental"})

    admin.submit(f"{page_url}/sync", {"mode": "full"})

    page = admin.get(page_url).text
    assert "Resync finished: full resync, started in the app: 0 added, 0 updated, 0 archived" in page
    assert admin.get(f"{page_url}/history").text.count("<td>succeeded</td>") == 2


def test_the_status_panel_can_be_polled_on_its_own(admin: Browser, page_url: str) -> None:
    fragment = admin.get(f"{page_url}/status", headers={"HX-Request": "true"}).text
    assert 'id="sync-status"' in fragment
    assert "hx-trigger" not in fragment, "idle: not polled (tests/web/pages/test_mailchimp_sync_extras.py)"
    assert "Next scheduled sync" in fragment
    assert "<header" not in fragment


def test_removing_asks_first_then_keeps_the_audience_and_says_so(
    admin: Browser, page_url: str, account: McAccount
) -> None:
    confirm = admin.get(f"{page_url}/remove")
    assert "stays in Mailchimp with all its members" in confirm.text

    response = admin.submit(f"{page_url}/remove")

    assert response.status_code == 303
    integrations = admin.get("/integrations").text
    assert "stays in Mailchimp with its members; the stored credentials were deleted." in integrations
    assert "Nothing installed yet." in integrations
    assert len(account.client.get("/lists").json()["lists"]) == 1
    assert admin.get(page_url).status_code == 404


def test_an_unknown_integration_is_a_plain_not_found_page(admin: Browser) -> None:
    response = admin.get("/integrations/mailchimp/999")
    assert response.status_code == 404
    assert "Mailchimp integration 999 not found." in response.text
