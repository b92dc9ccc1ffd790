"""Issue 14: the first run after connecting is its own trigger ("First sync") and starts only when the
admin says so: the Mailchimp page's "Start the first sync" button, or at once when "Start the first sync
now" was ticked on Add Mailchimp. Until then the page says it is waiting and nothing reaches Mailchimp.
(The nightly schedule's side: tests/jobs/test_schedule.py; the OAuth return keeping the choice:
tests/integrations/mailchimp/test_connect_over_http.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.integrations.mailchimp.sync.models import RunTrigger, SyncRun
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.test_add_mailchimp import FILLED, NEW
from tests.web.pages.test_mailchimp_page import _members

WAITING = "waiting for you to start the first sync"


@pytest.fixture
def two_people(db: TestDatabase) -> None:
    with session_scope(db.sessions) as session:
        for first, email in (("Ann", "ann@mailbox.org"), ("Bo", "bo@mailbox.org")):
            data = ContactCreate(first_name=first, emails=[EmailIn(address=email, is_primary=True)])
            create_contact(session, data, "test")


def _triggers(db: TestDatabase) -> list[RunTrigger]:
    with db.sessions() as session:
        return list(session.scalars(select(SyncRun.trigger).order_by(SyncRun.id)))


@pytest.mark.slow
@pytest.mark.usefixtures("two_people")
def test_a_new_integration_waits_until_the_admin_starts_the_first_sync_on_its_page(
    admin: Browser, account: McAccount, db: TestDatabase
) -> None:
    added = admin.submit(NEW, {**FILLED, "api_key": account.api_key})
    page_url = added.headers["location"]
    waiting = admin.get(page_url).text
    assert WAITING in waiting and ">Start the first sync</button>" in waiting
    assert ">Force Sync</button>" not in waiting
    assert _triggers(db) == [] and _members(account) == set()

    started = admin.submit(f"{page_url}/sync", {"mode": "incremental"})

    assert started.status_code == 303
    page = admin.get(page_url).text
    assert "The first sync finished: First sync: 2 added" in page  # the flash, then the history row
    assert page.count("First sync: 2 added") == 2  # flash, last sync
    assert "First sync: 2 added" in admin.get(f"{page_url}/history").text
    assert WAITING not in page and ">Force Sync</button>" in page
    assert _triggers(db) == [RunTrigger.first_sync]
    assert _members(account) == {"ann@mailbox.org", "bo@mailbox.org"}


@pytest.mark.usefixtures("two_people")
def test_ticking_start_the_first_sync_now_on_the_add_form_syncs_at_once(
    admin: Browser, account: McAccount, db: TestDatabase
) -> None:
    form = admin.get(NEW).text
    assert 'name="start_first_sync"' in form and "Start the first sync now" in form

    added = admin.submit(NEW, {**FILLED, "api_key": account.api_key, "start_first_sync": "on"})

    assert added.status_code == 303
    page = admin.get(added.headers["location"]).text
    assert "The first sync has started" in page and WAITING not in page
    assert "First sync: 2 added" in page
    assert _triggers(db) == [RunTrigger.first_sync]
    assert _members(account) == {"ann@mailbox.org", "bo@mailbox.org"}
