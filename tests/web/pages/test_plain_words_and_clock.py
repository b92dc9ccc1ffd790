"""Issue 16, plain words and their clock: every time on a page is in the organization's time zone (chosen
from a list in Settings) with the zone named, activity types read as words, and form errors name what
was wrong in plain words, never a field name, a pattern or a CLI flag."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from constituent.crm.activities.service import record_activity
from constituent.crm.contacts.models import Contact
from constituent.crm.contacts.schemas import ContactUpdate
from constituent.crm.contacts.service import update_contact
from constituent.crm.organization.schemas import OrganizationSettingsUpdate
from constituent.crm.organization.service import update_settings
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger
from constituent.jobs.repository import runs_by_outcome
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from constituent.web.pages.integration_view import last_sync
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact, a_stored_integration
from tests.web.pages.test_add_mailchimp import FILLED, NEW
from tests.web.pages.test_mailchimp_sync_extras import _add_people

WINTER_NOON_UTC = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _set_zone(db: TestDatabase, zone: str) -> None:
    with session_scope(db.sessions) as session:
        update_settings(session, OrganizationSettingsUpdate(timezone=zone))


def _created_at(db: TestDatabase, contact_id: int, at: datetime) -> None:
    with session_scope(db.sessions) as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        contact.created_at = at


@pytest.mark.slow
def test_a_time_on_a_page_is_shown_in_the_organizations_zone_and_names_it(
    admin: Browser, db: TestDatabase
) -> None:
    contact_id = a_contact(db)
    _created_at(db, contact_id, WINTER_NOON_UTC)
    _set_zone(db, "America/Chicago")

    page = admin.get(f"/contacts/{contact_id}").text

    assert "2026-01-15 06:00 CST" in page
    assert "12:00 UTC" not in page


def test_without_a_chosen_zone_times_are_shown_in_utc_and_say_so(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    _created_at(db, contact_id, WINTER_NOON_UTC)

    assert "2026-01-15 12:00 UTC" in admin.get(f"/contacts/{contact_id}").text


def test_a_zone_without_a_letter_abbreviation_is_named_by_its_place(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    _created_at(db, contact_id, WINTER_NOON_UTC)
    _set_zone(db, "America/Sao_Paulo")  # its abbreviation is "-03", which names nothing

    assert "2026-01-15 09:00 (America/Sao Paulo)" in admin.get(f"/contacts/{contact_id}").text


def test_the_time_zone_is_chosen_from_a_list_not_typed(admin: Browser, db: TestDatabase) -> None:
    _set_zone(db, "Europe/Paris")

    page = admin.get("/settings").text

    assert re.search(r'<select id="s-timezone" name="timezone"', page)
    assert '<option value="Europe/Paris" selected>Europe/Paris</option>' in page
    assert '<option value="America/New_York">America/New_York</option>' in page


def test_a_zone_not_on_the_list_is_refused_in_plain_words(admin: Browser) -> None:
    admin.get("/settings")
    page = admin.submit(
        "/settings", {"organization_name": "X", "country": "US", "timezone": "Mars/Base"}
    ).text

    assert "Choose a time zone from the list." in page
    assert "IANA" not in page


def test_settings_errors_name_the_field_by_its_label_and_say_what_is_expected(admin: Browser) -> None:
    admin.get("/settings")
    page = admin.submit("/settings", {"organization_name": "X", "country": "USA", "timezone": "UTC"}).text

    assert "Country (two letters): use the two-letter country code, like US or FR." in page
    assert "String should match pattern" not in page
    assert "country:" not in page


def test_activity_types_are_shown_in_words(admin: Browser, db: TestDatabase) -> None:
    contact_id = a_contact(db)
    with session_scope(db.sessions) as session:
        record_activity(
            session, contact_id, "email_sent", "Spring appeal", WINTER_NOON_UTC, source="Mailchimp"
        )
        record_activity(session, contact_id, "mailchimp_unsubscribe", "Left", WINTER_NOON_UTC)

    page = admin.get(f"/contacts/{contact_id}/activities").text

    assert "<td>Email sent</td>" in page
    assert "<td>Unsubscribed in Mailchimp</td>" in page
    assert "email_sent" not in page and "mailchimp_unsubscribe" not in page
    assert "Email sent" in admin.get("/").text, "the dashboard's recent activity too"


def test_a_run_that_wrote_with_member_errors_finished_with_problems_on_the_page_and_in_metrics(
    db: TestDatabase, settings: Settings
) -> None:
    with session_scope(db.sessions) as session:
        integration_id = a_stored_integration(session, settings).id
        for status, errors in (
            (RunStatus.succeeded, 0),
            (RunStatus.succeeded, 29),
            (RunStatus.succeeded, 1),
            (RunStatus.failed, 3),
        ):
            run = runs.create(
                session,
                integration_id,
                trigger=RunTrigger.ui,
                mode=RunMode.incremental,
                dry_run=False,
                now=utcnow(),
            )
            runs.set_fields(session, run.id, status=status, errors=errors, finished_at=utcnow())

    with db.sessions() as session:
        words = [last_sync(run) for run in runs.list_for_integration(session, integration_id, limit=10)]
        counted = runs_by_outcome(session)

    assert [w.status for w in words if w] == [
        "failed",
        "finished with 1 problem",
        "finished with 29 problems",
        "succeeded",
    ]
    assert counted == {"succeeded": 1, "finished_with_problems": 2, "failed": 1}


@pytest.mark.slow
def test_the_removal_guard_speaks_of_the_app_and_shows_whom_it_would_archive(
    admin: Browser, account: McAccount, db: TestDatabase
) -> None:
    page_url = admin.submit(NEW, {**FILLED, "api_key": account.api_key}).headers["location"]
    people = _add_people(db, 3)
    admin.submit(f"{page_url}/sync", {"mode": "incremental"})
    with session_scope(db.sessions) as session:
        for contact_id in people:
            update_contact(session, contact_id, ContactUpdate(is_active=False), "test")

    stopped = admin.submit(f"{page_url}/sync", {"mode": "incremental"})
    page = admin.get(stopped.headers["location"]).text

    assert "--confirm-removals" not in page
    assert "removed from the audience, history kept" in page
    assert "See who would be archived" in page
    preview = admin.submit(f"{page_url}/preview", {"action": "archive"})
    assert preview.headers["location"].endswith("/preview?action=archive")
    assert admin.get(preview.headers["location"]).text.count("<td>archive</td>") == 3


def test_the_mailchimp_page_explains_its_jargon_in_one_line_each(
    admin: Browser, db: TestDatabase, settings: Settings
) -> None:
    with session_scope(db.sessions) as session:
        integration_id = a_stored_integration(session, settings).id

    page = admin.get(f"/integrations/mailchimp/{integration_id}").text

    assert "<strong>archived</strong> means removed from the audience, with the member's history kept" in page
    assert "<strong>refused</strong> means Mailchimp would not take the address" in page
    assert "How Mailchimp tells Constituent at once about unsubscribes" in page
