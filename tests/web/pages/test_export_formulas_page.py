"""The Export page's CSV neutralises cells a spreadsheet would run as formulas (issue 13, item 8)."""

from __future__ import annotations

import csv
import io

from tests.conftest import TestDatabase
from tests.web.pages.conftest import Browser
from tests.web.pages.crm_helpers import a_contact


def test_the_downloaded_export_writes_a_formula_name_as_text(staff: Browser, db: TestDatabase) -> None:
    a_contact(db, '=HYPERLINK("http://evil.example","x")', "@SUM(1)", "ann@mailbox.org")
    response = staff.get("/export.csv")
    assert response.status_code == 200
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert row["first_name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["last_name"] == "'@SUM(1)"
