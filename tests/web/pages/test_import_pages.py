"""CSV import in the browser: upload, the progress fragment until it finishes, the rejected-rows report
and its download; a wrong file is said plainly; export gives every contact back in the import's columns."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from constituent.crm.contacts.service import list_contacts
from constituent.crm.csv_imports.runner import run_import
from constituent.crm.csv_imports.service import get_import, start_import
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact

HEADER = "kind,first_name,last_name,organization_name,email,is_active,do_not_email,groups,external_id"
GOOD_AND_BAD = "\n".join(
    [
        HEADER,
        "individual,Ann,Lee,,ann@mailbox.org,yes,no,Volunteers,ext-1",
        "individual,Bo,Diaz,,not-an-email,yes,no,,ext-2",
        "organization,,,Parks Trust,info@parks.co.uk,yes,no,,ext-3",
        "martian,Zed,,,zed@mailbox.org,yes,no,,ext-4",
    ]
)


def _upload(browser: Browser, content: str, name: str = "people.csv", **choices: str) -> Any:
    """Upload, then start the import from the mapping step with the columns as guessed."""
    browser.get("/import")
    files = {"file": (name, content.encode(), "text/csv")}
    mapping = browser.submit("/import", files=files)
    assert mapping.status_code == 303 and mapping.headers["location"].endswith("/map")
    browser.get(mapping.headers["location"])
    return browser.submit(mapping.headers["location"].replace("/map", "/start"), choices)


def _finished(browser: Browser, url: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        fragment = browser.get(url + "/status", headers={"HX-Request": "true"}).text
        if "hx-trigger" not in fragment:
            return fragment
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


def test_an_uploaded_csv_is_imported_and_the_rejected_rows_are_reported(
    admin: Browser, db: TestDatabase
) -> None:
    response = _upload(admin, GOOD_AND_BAD)
    assert response.status_code == 303
    url = response.headers["location"]
    assert "Import of people.csv" in admin.get(url).text

    report = _finished(admin, url)

    assert "Import finished" in report and 'value="100"' in report
    assert "2 new contact(s)" in report and "2 row(s)" in report
    assert "<tr><td>3</td><td>" in report and "<tr><td>5</td><td>" in report
    with db.sessions() as session:
        assert list_contacts(session)[1] == 2
    download = admin.get(url + "/rejected.csv")
    assert (
        download.headers["content-disposition"]
        == f'attachment; filename="rejected-rows-{url.rsplit("/", 1)[1]}.csv"'
    )
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["line", "reason"] and [r[0] for r in rows[1:]] == ["3", "5"]


def test_a_titled_sheet_excel_saved_as_windows_text_with_semicolons_imports_as_typed(
    admin: Browser, db: TestDatabase
) -> None:
    admin.get("/import")
    sheet = "Rally sign-ups;;\r\nFirst Name;Last Name;Email\r\nZoë;Müller;zoe@mailbox.org\r\n".encode(
        "cp1252"
    )
    mapping = admin.submit("/import", files={"file": ("excel.csv", sheet, "text/csv")})
    page = admin.get(mapping.headers["location"]).text
    assert "Read as Windows text, columns separated by semicolons" in page
    assert "The column names are on line 2 of your file" in page
    assert "Zoë" in page and "Müller" in page

    started = admin.submit(mapping.headers["location"].replace("/map", "/start"), {})
    assert "1 new contact(s)" in _finished(admin, started.headers["location"])

    with db.sessions() as session:
        contacts, _ = list_contacts(session)
        assert [(c.first_name, c.last_name) for c in contacts] == [("Zoë", "Müller")]


def test_a_column_without_a_name_is_shown_left_out_and_what_it_held_reported(
    admin: Browser, db: TestDatabase
) -> None:
    admin.get("/import")
    sheet = b"First Name,,Email\r\nAna,called back,ana@mailbox.org\r\n"
    mapping = admin.submit("/import", files={"file": ("sheet.csv", sheet, "text/csv")})
    page = admin.get(mapping.headers["location"]).text
    assert "Column 2, no name" in page and 'name="col_1"' not in page

    started = admin.submit(mapping.headers["location"].replace("/map", "/start"), {})
    report = _finished(admin, started.headers["location"])

    assert "1 new contact(s)" in report and "column 2 (no name)" in report


def test_a_file_with_a_wrong_header_fails_with_a_plain_reason(admin: Browser, db: TestDatabase) -> None:
    url = _upload(admin, "zip,phone\n02139,555\n", "wrong.csv").headers["location"]
    report = _finished(admin, url)
    assert "Import failed" in report and "The file: wrong header" in report
    assert "/tmp" not in report, "the server's file path is not shown"


def test_the_import_page_lists_recent_imports_and_asks_for_a_file(admin: Browser, db: TestDatabase) -> None:
    _finished(admin, _upload(admin, GOOD_AND_BAD).headers["location"])
    page = admin.get("/import").text
    assert ">people.csv</a>" in page and "<td>succeeded</td>" in page
    empty = admin.submit("/import", {})
    assert empty.headers["location"] == "/import"
    assert "Choose a CSV file to import." in admin.get("/import").text


def test_progress_is_read_from_the_database_so_any_web_process_shows_it(
    admin: Browser, db: TestDatabase, tmp_path: Any
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(GOOD_AND_BAD)
    with session_scope(db.sessions) as session:
        import_id = start_import(session, "people.csv", None).id
    page = admin.get(f"/import/{import_id}").text
    assert "Importing…" in page and f'hx-get="/import/{import_id}/status"' in page

    # The import runs elsewhere (another process, here: this thread); the page reads its row.
    run_import(Database(db.engine, db.sessions), import_id, path, "import")

    assert "Import finished" in admin.get(f"/import/{import_id}/status").text
    with db.sessions() as session:
        assert get_import(session, import_id).rows_read == 4
    assert not path.exists(), "the uploaded file is deleted once imported"


@pytest.mark.slow
def test_export_downloads_every_contact_in_the_import_columns(admin: Browser, db: TestDatabase) -> None:
    a_contact(db)
    response = admin.get("/export.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="contacts-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["first_name"], r["email"]) for r in rows] == [("Ann", "ann@mailbox.org")]


def test_an_import_whose_process_stopped_says_so_and_stops_polling(admin: Browser, db: TestDatabase) -> None:
    with session_scope(db.sessions) as session:
        job = start_import(session, "people.csv", None)
        job.created_at = job.updated_at = datetime(2026, 1, 1, tzinfo=UTC)
        import_id = job.id
    fragment = admin.get(f"/import/{import_id}/status").text
    assert "the web process running it has probably stopped" in fragment
    assert "hx-trigger" not in fragment


SIGN_UP_SHEET = (
    "First Name,Last Name,E-mail,Phone Number,Zip,Shoe size\nKyle,Silva,kyle@mailbox.org,555-0101,02139,44\n"
)


@pytest.mark.slow
def test_the_mapping_step_shows_the_guessed_columns_and_a_preview_before_anything_is_written(
    admin: Browser, db: TestDatabase
) -> None:
    admin.get("/import")
    upload = admin.submit("/import", files={"file": ("sheet.csv", SIGN_UP_SHEET.encode(), "text/csv")})
    url = upload.headers["location"]

    guessed = admin.get(url).text
    columns = ["first_name", "", "email", "", "", "city"]
    remapped = admin.submit(url, {f"col_{i}": f for i, f in enumerate(columns)}).text

    assert '<label for="col-2">E-mail</label>' in guessed
    assert '<option value="email" selected>email</option>' in guessed
    assert '<option value="postal_code" selected>postal code</option>' in guessed
    assert (
        "<td>Kyle</td><td>Silva</td><td></td><td>kyle@mailbox.org</td><td>555-0101</td><td>02139</td>"
        in guessed
    )
    assert "<td>Kyle</td><td></td><td></td><td>kyle@mailbox.org</td><td></td><td></td>" in remapped
    with db.sessions() as session:
        assert list_contacts(session)[1] == 0, "nothing is imported before the person starts it"


def test_the_import_runs_with_the_columns_the_person_chose(admin: Browser, db: TestDatabase) -> None:
    chosen = {f"col_{i}": f for i, f in enumerate(["first_name", "last_name", "email", "", "", "city"])}

    url = _upload(admin, SIGN_UP_SHEET, "sheet.csv", **chosen).headers["location"]
    _finished(admin, url)

    with db.sessions() as session:
        (kyle,), _ = list_contacts(session)
        assert (kyle.city, kyle.phone, kyle.postal_code) == ("44", "", "")


def test_a_template_that_imports_as_is_can_be_downloaded(admin: Browser, db: TestDatabase) -> None:
    template = admin.get("/import/template.csv")

    assert template.headers["content-disposition"] == 'attachment; filename="contacts-template.csv"'
    assert template.text.startswith("kind,first_name,last_name,organization_name,email,")


def test_the_columns_chosen_for_one_file_are_saved_and_used_for_the_next(
    admin: Browser, db: TestDatabase
) -> None:
    """Issue 15: the web import's mapping "can be saved and reused"."""
    header = "Given,Surname,E-post,Post area"
    first = _upload_to_map(admin, f"{header}\nAnn,Lee,ann@mailbox.org,02139\n")
    started = admin.submit(
        first.replace("/map", "/start"),
        {
            "col_0": "first_name",
            "col_1": "last_name",
            "col_2": "email",
            "col_3": "postal_code",
            "mapping_name": "Fair",
        },
    )
    _finished(admin, started.headers["location"])

    second = _upload_to_map(admin, f"Shoe size,{header}\n44,Bo,Diaz,bo@mailbox.org,10001\n")
    offered = admin.get(second).text
    saved_id = offered.split('<option value="')[-1].split('"')[0]
    assert ">Fair</option>" in offered
    applied = admin.submit(second, {"saved_mapping": saved_id}).text
    assert '<option value="postal_code" selected>' in applied.split('name="col_4"')[1].split("</select>")[0]
    assert '<option value="" selected>' in applied.split('name="col_0"')[1].split("</select>")[0]

    choices = {
        "col_0": "",
        "col_1": "first_name",
        "col_2": "last_name",
        "col_3": "email",
        "col_4": "postal_code",
    }
    _finished(admin, admin.submit(second.replace("/map", "/start"), choices).headers["location"])
    with session_scope(db.sessions) as session:
        bo = next(c for c in list_contacts(session, limit=10)[0] if c.first_name == "Bo")
        assert bo.postal_code == "10001"


def _upload_to_map(browser: Browser, content: str) -> str:
    browser.get("/import")
    mapping = browser.submit("/import", files={"file": ("sheet.csv", content.encode(), "text/csv")})
    assert mapping.status_code == 303
    return str(mapping.headers["location"])
