"""The audience health page (issue 19): not checked yet, Check now, the figures with what the next sync
does, and the people behind a line; through the real app and the emulator over HTTP, on both databases."""

from __future__ import annotations

import pytest

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.test_add_mailchimp import FILLED, NEW


@pytest.mark.slow
def test_an_admin_checks_the_audience_and_opens_the_people_behind_a_line(
    admin: Browser, staff: Browser, visitor: Browser, account: McAccount, db: TestDatabase, settings: Settings
) -> None:
    with session_scope(db.sessions) as session:
        ann = create_contact(
            session, ContactCreate(first_name="Ann", emails=[EmailIn(address="ann@mailbox.org")]), "t"
        ).id
    base: str = admin.submit(NEW, {**FILLED, "api_key": account.api_key}).headers["location"]
    run_sync(Database(db.engine, db.sessions), settings, int(base.rsplit("/", 1)[1]))
    [audience] = account.client.get("/lists").json()["lists"]
    member = f"/lists/{audience['id']}/members/{subscriber_hash('ann@mailbox.org')}"
    assert account.client.patch(member, json={"merge_fields": {"FNAME": "Typed"}}).status_code == 200

    assert "Not checked yet." in admin.get(base + "/health").text
    assert admin.submit(base + "/health").status_code == 303
    page = admin.get(base + "/health").text
    people = admin.get(base + "/health/drifted").text

    assert "Fields, tags or interests differ from the database" in page
    assert f'href="{base}/health/drifted">1</a>' in page
    assert "The next sync writes the database&#39;s values back" in page
    assert "ann@mailbox.org" in people and f'href="/contacts/{ann}"' in people
    assert f'href="{base}/health"' in admin.get(base).text  # linked from the Mailchimp page
    assert "Fields, tags or interests differ" in staff.get(base + "/health").text
    assert visitor.get(base + "/health").status_code in (302, 303, 401)
