"""CSV import: rejections with line numbers, updates by external_id, groups, chunks, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from constituent.crm.activities.changelog import changes_for_contact
from constituent.crm.contacts.models import Contact
from constituent.crm.groups.models import Group, GroupMembership, MembershipMethod
from constituent.crm.imports.importer import ImportOptions, import_csv
from constituent.crm.imports.source import ImportFileError
from tests.conftest import TestDatabase

HEADER = "kind,first_name,last_name,organization_name,email,is_active,do_not_email,groups,external_id"


def _file(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text("\n".join((header, *lines)) + "\n", encoding="utf-8")
    return path


def _count(db: TestDatabase, model: type[Contact] | type[Group]) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _contact(db: TestDatabase, external_id: str) -> Contact:
    with db.sessions() as session:
        contact = session.scalars(select(Contact).where(Contact.external_id == external_id)).one()
        _ = contact.emails
        return contact


def test_each_kind_of_bad_row_is_rejected_with_its_line_and_reason(db: TestDatabase, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "individual,Ann,Lee,,ann@example.org,true,false,,",
        "robot,Bo,,,,true,false,,",
        "individual,Cy,,,not-an-email,true,false,,",
        "individual,Di,,,,perhaps,false,,",
        "organization,,,,,true,false,,",
        "individual,,,,,true,false,,",
        "individual,Ed,,,,true,false,,,surplus",
        "individual,Flo,,,,true,false,,",
    )

    result = import_csv(db.sessions, path)

    errors = {r.line: r.error for r in result.rejected}
    assert result.created == 2
    assert sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert "kind: 'robot'" in errors[3]
    assert errors[4].startswith("email: 'not-an-email' is not a valid email address")
    assert "is_active: 'perhaps' is not a yes or no" in errors[5]
    assert errors[6] == "an organization needs an organization name"
    assert errors[7] == "an individual needs a first name, a last name or an email"
    assert errors[8] == "has 10 columns, the header has 9"


def test_a_record_spanning_lines_is_counted_by_physical_lines(db: TestDatabase, tmp_path: Path) -> None:
    path = _file(tmp_path, 'individual,"Two\nLines",X,,,true,false,,', "robot,Bo,,,,true,false,,")

    result = import_csv(db.sessions, path)

    assert (result.created, [r.line for r in result.rejected]) == (1, [4])


def test_every_boolean_spelling_is_understood(db: TestDatabase, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "individual,A,,,,YES,no,,a",
        "individual,B,,,,0,1,,b",
        "individual,C,,,,False,TRUE,,c",
        "individual,D,,,,,,,d",
    )

    import_csv(db.sessions, path)

    flags = [(_contact(db, x).is_active, _contact(db, x).do_not_email) for x in "abcd"]
    assert flags == [(True, False), (False, True), (False, True), (True, False)]


def test_missing_groups_are_created_and_memberships_say_import(db: TestDatabase, tmp_path: Path) -> None:
    path = _file(
        tmp_path, "individual,Ann,,,,true,false,Volunteers; Donors ,a", "individual,Bo,,,,true,false,Donors,b"
    )

    import_csv(db.sessions, path, options=ImportOptions(create_groups=True))

    with db.sessions() as session:
        names = session.scalars(select(Group.name).order_by(Group.name)).all()
        methods = session.scalars(select(GroupMembership.method)).all()
    assert names == ["Donors", "Volunteers"]
    assert methods == [MembershipMethod.import_] * 3


def test_a_known_external_id_updates_that_contact_and_logs_the_change(
    db: TestDatabase, tmp_path: Path
) -> None:
    groups = ImportOptions(create_groups=True)
    first = _file(tmp_path, "individual,Ann,Lee,,ann@example.org,true,false,Donors,X1")
    import_csv(db.sessions, first, options=groups)

    result = import_csv(
        db.sessions,
        _file(tmp_path, "individual,Ann,Leigh,,new@example.org,true,true,Donors;Vols,X1"),
        options=groups,
    )

    contact = _contact(db, "X1")
    assert (result.created, result.updated) == (0, 1)
    assert (contact.last_name, contact.do_not_email) == ("Leigh", True)
    assert [(e.address, e.is_primary) for e in contact.emails] == [
        ("ann@example.org", False),
        ("new@example.org", True),
    ]
    with db.sessions() as session:
        log = {(e.field, e.old_value, e.new_value) for e in changes_for_contact(session, contact.id)}
        current = session.scalar(select(func.count()).select_from(GroupMembership)) or 0
    assert ("last_name", "Lee", "Leigh") in log
    assert ("do_not_email", "false", "true") in log
    assert current == 2


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    db: TestDatabase, tmp_path: Path
) -> None:
    path = _file(tmp_path, "individual,Ann,Lee,,ann@example.org,true,false,Donors,X1")
    import_csv(db.sessions, path)
    with db.sessions() as session:
        log_size = len(changes_for_contact(session, _contact(db, "X1").id))

    result = import_csv(db.sessions, path)

    with db.sessions() as session:
        assert len(changes_for_contact(session, _contact(db, "X1").id)) == log_size
    assert (result.created, result.updated, _count(db, Contact)) == (0, 1, 1)


def test_an_external_id_repeated_in_the_file_is_one_contact_the_later_row_winning(
    db: TestDatabase, tmp_path: Path
) -> None:
    path = _file(tmp_path, "individual,Ann,,,,true,false,,X1", "individual,Bo,Lee,,,true,false,,X1")

    result = import_csv(db.sessions, path)

    contact = _contact(db, "X1")
    assert (result.created, result.merged, result.rejected) == (1, [3], [])
    assert (contact.first_name, contact.last_name) == ("Bo", "Lee")


def test_each_chunk_commits_and_reports_progress(db: TestDatabase, tmp_path: Path) -> None:
    path = _file(tmp_path, *(f"individual,P{i},,,p{i}@example.org,true,false,G,{i}" for i in range(5)))
    calls: list[tuple[int, int]] = []

    result = import_csv(
        db.sessions,
        path,
        options=ImportOptions(chunk_size=2, create_groups=True),
        progress=lambda done, total: calls.append((done, total)),
    )

    assert result.created == _count(db, Contact) == 5
    assert calls == [(2, 5), (4, 5), (5, 5)]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "postal_code,phone,nickname",
            "no column holds a name or an email (found: postal_code, phone, nickname)",
        ),
        ("Zip", "no column holds a name or an email"),
    ],
)
def test_a_header_with_no_name_or_email_column_imports_nothing(
    db: TestDatabase, tmp_path: Path, header: str, message: str
) -> None:
    path = _file(tmp_path, "individual,Ann,,,,true,false,,", header=header)

    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_csv(db.sessions, path)
    assert _count(db, Contact) == 0


def test_a_repeated_column_is_read_once_and_the_other_listed_as_ignored(
    db: TestDatabase, tmp_path: Path
) -> None:
    path = _file(tmp_path, "Ann,Lee,Springfield,Shelbyville", header="first_name,last_name,city,city")

    result = import_csv(db.sessions, path)

    assert (result.created, result.ignored_columns) == (1, ["city"])
    with db.sessions() as session:
        assert session.scalar(select(Contact.city)) == "Springfield"


def test_a_file_that_is_not_utf8_is_read_as_windows_text(db: TestDatabase, tmp_path: Path) -> None:
    """Excel's plain "CSV" on Windows (test_spreadsheet_formats.py has the rest, and the refusals)."""
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (HEADER + "\nindividual,Ann,,,,true,false,,\nindividual,Jos\xe9,,,,true,false,,\n").encode("latin-1")
    )

    result = import_csv(db.sessions, path)

    assert (result.created, result.file_format.encoding) == (2, "cp1252")
    with db.sessions() as session:
        assert set(session.scalars(select(Contact.first_name))) == {"Ann", "José"}


def test_an_empty_or_missing_file_is_refused(db: TestDatabase, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ImportFileError, match="empty"):
        import_csv(db.sessions, empty)
    with pytest.raises(ImportFileError, match="cannot read"):
        import_csv(db.sessions, tmp_path / "missing.csv")
