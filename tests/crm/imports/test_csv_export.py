"""Export writes the import's columns, so importing an export gives the same contacts back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.models import ContactKind
from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.groups import service as groups
from constituent.crm.imports.columns import ALL
from constituent.crm.imports.exporter import export_csv, status_columns
from constituent.crm.imports.importer import ImportOptions, import_csv
from constituent.kit.db import make_engine, make_sessionmaker
from constituent.models import Base

ACTOR = "user:alice@example.org"


def _fill(session: Session) -> None:
    ann = contacts.create_contact(
        session,
        ContactCreate(
            first_name="Ann",
            last_name="O'Neil, Jr.",
            street='1 "Quoted" Road',
            city="Springfield",
            state="IL",
            postal_code="62701",
            country="US",
            phone="+1 555 0100",
            is_deceased=True,
            external_id="A-1",
            emails=[EmailIn(address="ann@example.org"), EmailIn(address="Ann.Work@Example.org")],
        ),
        ACTOR,
    )
    acme = contacts.create_contact(
        session,
        ContactCreate(kind=ContactKind.vendor, organization_name="ACME; Inc", do_not_email=True),
        ACTOR,
    )
    donors = groups.create_group(session, "Donors", actor=ACTOR)
    past = groups.create_group(session, "Past", actor=ACTOR)
    groups.add_to_group(session, donors.id, [ann.id, acme.id], method="user", actor=ACTOR)
    groups.add_to_group(session, past.id, [ann.id], method="user", actor=ACTOR)
    groups.remove_from_group(session, past.id, [ann.id], method="api", actor=ACTOR)
    session.commit()


def test_importing_an_export_gives_the_same_file_back(session: Session, tmp_path: Path) -> None:
    _fill(session)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    assert export_csv(session, first) == 2

    engine = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    Base.metadata.create_all(engine)
    copy = make_sessionmaker(engine)
    result = import_csv(copy, first, options=ImportOptions(create_groups=True))
    with copy() as other:
        export_csv(other, second)
    engine.dispose()

    assert (result.created, result.rejected) == (2, [])
    assert second.read_text() == first.read_text()
    header, ann, acme = first.read_text().splitlines()
    assert header.split(",") == list(ALL)
    assert "ann@example.org,true,false,Donors,A-1,Ann.Work@Example.org" in ann
    assert acme.startswith("vendor,,,ACME; Inc,,true,true,Donors,")


def test_two_audiences_of_one_name_get_a_status_column_each() -> None:
    columns = status_columns([(1, "Supporters"), (2, "Supporters"), (3, "Donors")])

    assert columns == {
        1: "Mailchimp status (Supporters #1)",
        2: "Mailchimp status (Supporters #2)",
        3: "Mailchimp status (Donors)",
    }
