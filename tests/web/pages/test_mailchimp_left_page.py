"""Who left the audience (issue 14): a page under the integration listing who unsubscribed or was cleaned,
with when, why and the contact, paged on the server; and the export's Mailchimp status column. Through
the real app, the emulator over HTTP and real syncs, on both databases."""

from __future__ import annotations

import csv
import io

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

PEOPLE = {"ann@mailbox.org": "Ann", "bob@mailbox.org": "Bob", "cy@mailbox.org": "Cy"}


@pytest.fixture
def people(db: TestDatabase) -> dict[str, int]:
    with session_scope(db.sessions) as session:
        return {
            email: create_contact(
                session,
                ContactCreate(first_name=name, emails=[EmailIn(address=email, is_primary=True)]),
                "test",
            ).id
            for email, name in PEOPLE.items()
        }


def sync(db: TestDatabase, settings: Settings, integration_id: int) -> None:
    run = run_sync(Database(db.engine, db.sessions), settings, integration_id)
    assert run.status == RunStatus.succeeded, run.message


@pytest.fixture
def page(
    admin: Browser,
    account: McAccount,
    emulator: RunningEmulator,
    people: dict[str, int],
    db: TestDatabase,
    settings: Settings,
) -> str:
    """Connected and synced; then Ann unsubscribed and Bob bounced in Mailchimp, and a sync learnt it."""
    response = admin.submit(NEW, {**FILLED, "api_key": account.api_key})
    assert response.status_code == 303, response.text
    base: str = response.headers["location"]
    integration_id = int(base.rsplit("/", 1)[1])
    sync(db, settings, integration_id)
    [audience] = account.client.get("/lists").json()["lists"]
    for email, action in (("ann@mailbox.org", "unsubscribe"), ("bob@mailbox.org", "bounce")):
        emulator.control("POST", f"lists/{audience['id']}/members/{subscriber_hash(email)}/{action}", {})
    sync(db, settings, integration_id)  # its reconciliation reads both changes
    return base


@pytest.mark.slow
def test_the_page_lists_who_unsubscribed_and_who_was_cleaned_with_the_contact_and_why(
    admin: Browser, page: str, people: dict[str, int]
) -> None:
    html = admin.get(page + "/left").text

    assert "Who left the audience" in html
    assert f'<a href="/contacts/{people["ann@mailbox.org"]}">Ann</a>' in html
    assert f'<a href="/contacts/{people["bob@mailbox.org"]}">Bob</a>' in html
    assert "cy@mailbox.org" not in html
    assert "Unsubscribed from" in html  # why, in our words
    assert "UTC" in html  # when, in the organisation's zone, named
    only_cleaned = admin.get(page + "/left?status=cleaned").text
    assert "bob@mailbox.org" in only_cleaned and "ann@mailbox.org" not in only_cleaned
    assert 'href="' + page + '/left"' in admin.get(page).text  # linked from the Mailchimp page


def test_an_unknown_filter_shows_everyone_who_left_and_a_stranger_must_log_in(
    admin: Browser, visitor: Browser, page: str
) -> None:
    html = admin.get(page + "/left?status=subscribed").text
    assert "ann@mailbox.org" in html and "bob@mailbox.org" in html
    assert visitor.get(page + "/left").status_code in (302, 303, 401)


@pytest.mark.slow
def test_the_export_has_each_contacts_status_in_the_audience(admin: Browser, page: str) -> None:
    response = admin.get("/export.csv")
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    column = "Mailchimp status (Parks 2026)"
    by_email = {row["email"]: row[column] for row in rows}
    assert by_email == {
        "ann@mailbox.org": "unsubscribed",
        "bob@mailbox.org": "cleaned",
        "cy@mailbox.org": "subscribed",
    }


@pytest.fixture
def archived_by_hand(
    admin: Browser,
    account: McAccount,
    emulator: RunningEmulator,
    people: dict[str, int],
    db: TestDatabase,
    settings: Settings,
) -> str:
    """Synced; then in Mailchimp someone archived Ann by hand, and Bob, who had unsubscribed first."""
    response = admin.submit(NEW, {**FILLED, "api_key": account.api_key})
    base: str = response.headers["location"]
    integration_id = int(base.rsplit("/", 1)[1])
    sync(db, settings, integration_id)
    [audience] = account.client.get("/lists").json()["lists"]
    members = f"/lists/{audience['id']}/members"
    emulator.control(
        "POST", f"lists/{audience['id']}/members/{subscriber_hash('bob@mailbox.org')}/unsubscribe", {}
    )
    sync(db, settings, integration_id)
    for email in ("ann@mailbox.org", "bob@mailbox.org"):
        assert account.client.delete(f"{members}/{subscriber_hash(email)}").status_code == 204
    sync(db, settings, integration_id)  # its reconciliation sees both archives
    return base


def _status(account: McAccount, email: str) -> str:
    [audience] = account.client.get("/lists").json()["lists"]
    return str(
        account.client.get(f"/lists/{audience['id']}/members/{subscriber_hash(email)}").json()["status"]
    )


@pytest.mark.slow
def test_members_archived_by_hand_stay_archived_until_an_admin_restores_them_and_never_one_who_left(
    admin: Browser, archived_by_hand: str, account: McAccount, db: TestDatabase, settings: Settings
) -> None:
    integration_id = int(archived_by_hand.rsplit("/", 1)[1])
    run_sync(Database(db.engine, db.sessions), settings, integration_id, mode=RunMode.full)
    assert (_status(account, "ann@mailbox.org"), _status(account, "bob@mailbox.org")) == (
        "archived",
        "archived",
    )

    overview = admin.get(archived_by_hand).text
    assert "1 member(s) were archived in Mailchimp by hand and are left archived" in overview
    listed = admin.get(archived_by_hand + "/left?status=archived").text
    assert "ann@mailbox.org" in listed and "bob@mailbox.org" not in listed
    assert "Restore them at the next sync" in listed

    restored = admin.submit(archived_by_hand + "/left/restore")
    assert restored.status_code == 303
    assert (
        "1 member(s) archived by hand will be restored at the next sync."
        in admin.get(restored.headers["location"]).text
    )
    sync(db, settings, integration_id)

    assert _status(account, "ann@mailbox.org") == "subscribed"
    assert _status(account, "bob@mailbox.org") == "archived"  # he had unsubscribed: never restored
    assert "ann@mailbox.org" not in admin.get(archived_by_hand + "/left?status=archived").text


@pytest.mark.slow
def test_staff_see_who_was_archived_by_hand_but_cannot_restore_them(
    staff: Browser, archived_by_hand: str, account: McAccount
) -> None:
    listed = staff.get(archived_by_hand + "/left?status=archived").text
    assert "ann@mailbox.org" in listed and "Restore them" not in listed
    assert staff.submit(archived_by_hand + "/left/restore").status_code == 403
    assert _status(account, "ann@mailbox.org") == "archived"
