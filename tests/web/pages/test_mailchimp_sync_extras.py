"""The Mailchimp page's sync extras: the dry-run preview with its per-contact diff (paged), live progress
of a running sync, the history chart, and a run's error report downloaded with the session."""

from __future__ import annotations

import csv
import io
import re

import pytest

from constituent.crm.contacts.schemas import ContactCreate, ContactUpdate, EmailIn
from constituent.crm.contacts.service import create_contact, update_contact
from constituent.crm.searches.schemas import SavedSearchCreate
from constituent.crm.searches.service import create_search
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.conftest import TestDatabase
from tests.support.emulator import McAccount
from tests.web.pages.conftest import Browser
from tests.web.pages.test_add_mailchimp import FILLED, NEW


def _add_people(db: TestDatabase, count: int, start: int = 0) -> list[int]:
    with session_scope(db.sessions) as session:
        return [
            create_contact(
                session,
                ContactCreate(
                    first_name=f"Person{n}", emails=[EmailIn(address=f"p{n:03}@mailbox.org", is_primary=True)]
                ),
                "test",
            ).id
            for n in range(start, start + count)
        ]


@pytest.fixture
def page_url(admin: Browser, account: McAccount) -> str:
    response = admin.submit(NEW, {**FILLED, "api_key": account.api_key})
    assert response.status_code == 303, response.text
    url: str = response.headers["location"]
    return url


def _integration_id(page_url: str) -> int:
    return int(page_url.rsplit("/", 1)[1])


def _member_count(account: McAccount) -> int:
    [audience] = account.client.get("/lists").json()["lists"]
    count: int = account.client.get(f"/lists/{audience['id']}").json()["stats"]["member_count"]
    return count


def _preview(admin: Browser, page_url: str) -> str:
    response = admin.submit(f"{page_url}/preview")
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    assert re.fullmatch(rf"{page_url}/runs/\d+/preview", location)
    return location


def test_the_preview_lists_who_would_be_added_and_writes_nothing(
    admin: Browser, page_url: str, account: McAccount, db: TestDatabase
) -> None:
    ann, _bo = _add_people(db, 2)

    preview = admin.get(_preview(admin, page_url)).text

    assert "Nothing was written to Mailchimp." in preview
    assert re.search(r'<span class="count-number">2</span> <span class="count-label">added</span>', preview)
    assert f'<a href="/contacts/{ann}">Person0</a>' in preview and "p001@mailbox.org" in preview
    assert preview.count("<td>add</td>") == 2
    assert _member_count(account) == 0
    assert "See the preview" in admin.get(f"{page_url}/history").text, (
        "the dry run is in the history with a link"
    )


@pytest.mark.slow
def test_the_preview_shows_updates_and_archives_after_a_sync(
    admin: Browser, page_url: str, db: TestDatabase
) -> None:
    ann, bo = _add_people(db, 2)
    admin.submit(f"{page_url}/sync", {"mode": "incremental"})
    with session_scope(db.sessions) as session:
        update_contact(session, ann, ContactUpdate(last_name="Lee"), "test")
        update_contact(session, bo, ContactUpdate(is_active=False), "test")

    preview = admin.get(_preview(admin, page_url)).text

    rows = re.findall(
        r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", preview, re.S
    )
    by_email = {email: (action, details) for _, email, action, details in rows}
    # The ledger keeps a digest of what Mailchimp holds, so an update names what may have changed.
    assert by_email["p000@mailbox.org"] == ("update", "merge fields or interests")
    assert by_email["p001@mailbox.org"][0] == "archive"
    assert "Force Sync stops and asks for confirmation when it would archive more than 10%" in preview


@pytest.mark.slow
def test_the_preview_is_paged_and_can_show_one_kind_of_change(
    admin: Browser, page_url: str, db: TestDatabase
) -> None:
    _add_people(db, 60)
    location = _preview(admin, page_url)

    first, second = admin.get(location).text, admin.get(f"{location}?page=2").text
    only_archives = admin.get(f"{location}?action=archive").text

    assert first.count("<td>add</td>") == 50 and "Page 1 of 2" in first and "60 address(es)." in first
    assert second.count("<td>add</td>") == 10 and 'rel="prev"' in second
    assert "No address with this kind of change." in only_archives


def test_a_preview_of_another_integrations_run_is_not_found(admin: Browser, page_url: str) -> None:
    location = _preview(admin, page_url)
    other = location.replace(page_url, "/integrations/mailchimp/999")
    assert admin.get(other).status_code == 404


def test_an_idle_status_panel_does_not_poll(admin: Browser, page_url: str) -> None:
    waiting = admin.get(f"{page_url}/status", headers={"HX-Request": "true"}).text
    admin.submit(f"{page_url}/sync", {"mode": "incremental"})  # the first sync (run at once here)
    fragment = admin.get(f"{page_url}/status", headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in waiting and "waiting for you to start the first sync" in waiting
    assert 'id="sync-status"' in fragment
    assert "hx-trigger" not in fragment
    assert "<progress" not in fragment
    assert re.search(r"<dt>Next scheduled sync</dt>\s*<dd>\d{4}-\d\d-\d\d \d\d:\d\d UTC", fragment)
    assert "(nightly at 02:00, " in fragment and " min later for this integration" in fragment


@pytest.mark.slow
def test_a_running_sync_shows_its_phase_counters_and_a_progress_bar_and_is_polled(
    admin: Browser, page_url: str, db: TestDatabase
) -> None:
    with session_scope(db.sessions) as session:
        run = runs.create(
            session,
            _integration_id(page_url),
            trigger=RunTrigger.ui,
            mode=RunMode.incremental,
            dry_run=False,
            now=utcnow(),
        )
        runs.set_fields(
            session,
            run.id,
            phase="members",
            created=120,
            progress_done=150,
            progress_total=600,
        )

    page = admin.get(page_url).text
    fragment = admin.get(f"{page_url}/status?was_running=true", headers={"HX-Request": "true"})

    for html in (page, fragment.text):
        assert 'hx-trigger="every 1s"' in html
        assert "Sync running</strong> — sending members: 150 of 600 changes" in html
        assert '<progress max="100" value="25"' in html
        assert "120 added, 0 updated, 0 archived, 0 refused, 0 errors" in html
    assert "HX-Refresh" not in fragment.headers


@pytest.mark.slow
def test_when_the_followed_sync_finishes_the_page_reloads_once(
    admin: Browser, page_url: str, db: TestDatabase
) -> None:
    _add_people(db, 1)
    admin.submit(f"{page_url}/sync", {"mode": "incremental"})

    followed = admin.get(f"{page_url}/status?was_running=true", headers={"HX-Request": "true"})
    fresh = admin.get(f"{page_url}/status", headers={"HX-Request": "true"})

    assert followed.headers["HX-Refresh"] == "true"
    assert "HX-Refresh" not in fresh.headers


@pytest.mark.slow
def test_the_history_chart_has_a_titled_bar_for_members_written_and_errors_per_run(
    admin: Browser, page_url: str, db: TestDatabase
) -> None:
    _add_people(db, 3)
    admin.submit(f"{page_url}/sync", {"mode": "incremental"})
    _add_people(db, 1, start=3)
    admin.submit(f"{page_url}/sync", {"mode": "incremental"})
    admin.submit(f"{page_url}/preview")

    page = admin.get(f"{page_url}/history").text

    assert '<svg role="img"' in page and "last 2 sync(s)" in page, "the dry run is not charted"
    titles = re.findall(r"<title>(Run \d+ \([^)]+\): \d+ [a-z ]+)</title>", page)
    assert [t.split(": ")[1] for t in titles] == [
        "3 members written",
        "0 errors",
        "1 members written",
        "0 errors",
    ]
    assert "<script" not in page.split("</head>")[1]


def test_no_chart_is_drawn_before_the_first_sync(admin: Browser, page_url: str) -> None:
    assert "<svg" not in admin.get(page_url).text


@pytest.mark.slow
def test_a_runs_error_report_downloads_as_csv_with_the_session(
    admin: Browser, page_url: str, account: McAccount, db: TestDatabase
) -> None:
    (ann,) = _add_people(db, 1)
    [audience] = account.client.get("/lists").json()["lists"]
    # Someone made a required field in Mailchimp that the database does not fill.
    field = {"tag": "COMPANY", "name": "Company", "type": "text", "required": True}
    assert account.client.post(f"/lists/{audience['id']}/merge-fields", json=field).status_code == 200
    admin.submit(f"{page_url}/sync", {"mode": "incremental"})
    with session_scope(db.sessions) as session:
        [run] = runs.list_for_integration(session, _integration_id(page_url))
        assert run.status == RunStatus.succeeded and run.errors == 1
        run_id = run.id

    page = admin.get(f"{page_url}/history").text
    response = admin.get(f"{page_url}/runs/{run_id}/errors.csv")

    assert f'href="{page_url}/runs/{run_id}/errors.csv" download' in page
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="sync-run-{run_id}-errors.csv"' in response.headers["content-disposition"]
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["email"], row["contact_id"]) == ("p000@mailbox.org", str(ann))
    assert "COMPANY" in row["message"]


def test_a_preview_still_running_shows_its_progress_and_reloads_when_done(
    admin: Browser, page_url: str, db: TestDatabase
) -> None:
    with session_scope(db.sessions) as session:
        run = runs.create(
            session,
            _integration_id(page_url),
            trigger=RunTrigger.ui,
            mode=RunMode.incremental,
            dry_run=True,
            now=utcnow(),
        )
        runs.set_fields(session, run.id, phase="planning")
        run_id = run.id

    waiting = admin.get(f"{page_url}/runs/{run_id}/preview").text

    assert "Preparing the preview of the next sync" in waiting
    assert "Sync running</strong> — working out what to send" in waiting
    assert f'hx-get="{page_url}/status?was_running=true" hx-trigger="every 1s"' in waiting


@pytest.mark.slow
def test_names_typed_into_the_crm_are_escaped_in_the_preview(
    admin: Browser, page_url: str, db: TestDatabase
) -> None:
    _add_people(db, 1)
    with session_scope(db.sessions) as session:
        search = SavedSearchCreate(
            name="<b>Bold</b> people", filter={"field": "kind", "op": "eq", "value": "individual"}
        )
        create_search(session, search)

    preview = admin.get(_preview(admin, page_url)).text

    assert "+&lt;b&gt;Bold&lt;/b&gt; people" in preview
    assert "<b>Bold</b>" not in preview


@pytest.mark.slow
def test_a_preview_after_the_removal_guard_stopped_a_sync_keeps_the_confirm_button(
    admin: Browser, page_url: str, db: TestDatabase
) -> None:
    people = _add_people(db, 3)
    admin.submit(f"{page_url}/sync", {"mode": "incremental"})
    with session_scope(db.sessions) as session:
        for contact_id in people:
            update_contact(session, contact_id, ContactUpdate(is_active=False), "test")
    admin.submit(f"{page_url}/sync", {"mode": "incremental"})
    assert "Confirm removals and sync" in admin.get(page_url).text

    preview = admin.get(_preview(admin, page_url)).text

    assert preview.count("<td>archive</td>") == 3, "the preview lists whom the guard stopped for"
    assert "Confirm removals and sync" in admin.get(page_url).text
