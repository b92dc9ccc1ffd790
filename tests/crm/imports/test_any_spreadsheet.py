"""Issue 15: an ordinary spreadsheet imports; duplicates update, never multiply; groups need consent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from constituent.crm.contacts.models import Contact, ContactKind, Email
from constituent.crm.groups.models import Group, GroupMembership
from constituent.crm.imports.importer import DuplicatePolicy, ImportOptions, import_csv
from constituent.crm.imports.source import ImportFileError
from tests.conftest import TestDatabase

SIGN_UP = "First Name,Last Name,Email,Phone,Zip"


def _file(tmp_path: Path, header: str, *lines: str, name: str = "sheet.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((header, *lines)) + "\n", encoding="utf-8")
    return path


def _contacts(db: TestDatabase) -> list[Contact]:
    with db.sessions() as session:
        contacts = list(session.scalars(select(Contact).order_by(Contact.id)))
        for contact in contacts:
            _ = contact.emails
        return contacts


def _count(db: TestDatabase, model: type[Contact] | type[Group] | type[Email]) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_ordinary_sign_up_sheet_imports_as_individuals(db: TestDatabase, tmp_path: Path) -> None:
    path = _file(tmp_path, SIGN_UP, "Kyle,Silva,Kyle@Example.org,555-0101,02139", "Ana,,,,")

    result = import_csv(db.sessions, path)

    assert (result.created, result.rejected) == (2, [])
    kyle, ana = _contacts(db)
    assert (kyle.kind, kyle.first_name, kyle.last_name) == (ContactKind.individual, "Kyle", "Silva")
    assert (kyle.phone, kyle.postal_code, kyle.emails[0].address) == ("555-0101", "02139", "Kyle@Example.org")
    assert (ana.first_name, ana.emails) == ("Ana", [])


@pytest.mark.parametrize(
    ("header", "field", "expected"),
    [
        ("Given name,E-mail", "first_name", "Kyle"),
        ("first,Email Address", "first_name", "Kyle"),
        ("Surname,e-mail address", "last_name", "Kyle"),
        ("Organisation,Email", "organization_name", "Kyle"),
        ("Postal Code,Email", "postal_code", "Kyle"),
        ("Phone Number,Email", "phone", "Kyle"),
    ],
)
def test_headers_are_matched_by_meaning_not_spelling(
    db: TestDatabase, tmp_path: Path, header: str, field: str, expected: str
) -> None:
    import_csv(db.sessions, _file(tmp_path, header, "Kyle,k@example.org"))

    (contact,) = _contacts(db)
    assert getattr(contact, field) == expected
    assert contact.emails[0].address == "k@example.org"


def test_a_full_name_column_is_split_in_either_order(db: TestDatabase, tmp_path: Path) -> None:
    import_csv(db.sessions, _file(tmp_path, "Name,Email", "Kyle Silva,", '"Silva, Ana",'))

    assert [(c.first_name, c.last_name) for c in _contacts(db)] == [("Kyle", "Silva"), ("Ana", "Silva")]


def test_unknown_columns_are_listed_and_can_be_mapped(db: TestDatabase, tmp_path: Path) -> None:
    path = _file(tmp_path, "First Name,Shoe size,Cell", "Kyle,44,555")

    plain = import_csv(db.sessions, path)
    assert plain.ignored_columns == ["Shoe size"]

    mapped = import_csv(db.sessions, path, options=ImportOptions(column_map={"Shoe size": "city"}))
    assert (mapped.ignored_columns, mapped.updated) == ([], 1)
    assert [c.city for c in _contacts(db)] == ["44"]


def test_a_mapping_to_a_field_we_do_not_have_names_it(db: TestDatabase, tmp_path: Path) -> None:
    path = _file(tmp_path, "First Name,Shoe size", "Kyle,44")

    with pytest.raises(ImportFileError, match="'shoe_size' is not a field"):
        import_csv(db.sessions, path, options=ImportOptions(column_map={"Shoe size": "shoe_size"}))


def test_a_file_with_neither_names_nor_emails_is_refused_whole(db: TestDatabase, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no column holds a name or an email"):
        import_csv(db.sessions, _file(tmp_path, "Zip,Phone", "02139,555"))
    assert _count(db, Contact) == 0


def test_every_yes_and_no_spelling_is_a_boolean(db: TestDatabase, tmp_path: Path) -> None:
    lines = [f"P{n},{value}" for n, value in enumerate(("Y", "n", "x", "X", "yes", "No", "TRUE", "0", ""))]

    result = import_csv(db.sessions, _file(tmp_path, "First Name,Do not email", *lines))

    assert result.rejected == []
    flags = [c.do_not_email for c in _contacts(db)]
    assert flags == [True, False, True, True, True, False, True, False, False]


def test_a_row_with_only_an_organization_name_is_an_organization(db: TestDatabase, tmp_path: Path) -> None:
    import_csv(db.sessions, _file(tmp_path, "Organization,First Name", "Acme Ltd,", "Acme Ltd,Kyle"))

    assert [c.kind for c in _contacts(db)] == [ContactKind.organization, ContactKind.individual]


def test_an_unknown_group_is_reported_and_not_created_without_consent(
    db: TestDatabase, tmp_path: Path
) -> None:
    import_csv(db.sessions, _file(tmp_path, "First Name,Groups", "Kyle,Donors"), options=_creating())
    path = _file(tmp_path, "First Name,Groups", "Ana,donors;Donrs", "Bo,Donrs", name="second.csv")

    result = import_csv(db.sessions, path)

    assert result.unknown_groups == {"Donrs": [2, 3]}
    with db.sessions() as session:
        assert list(session.scalars(select(Group.name))) == ["Donors"]
        assert session.scalar(select(func.count()).select_from(GroupMembership)) == 2
    assert [c.first_name for c in _contacts(db)] == ["Kyle", "Ana", "Bo"]


def test_an_unknown_group_is_created_when_the_user_agrees(db: TestDatabase, tmp_path: Path) -> None:
    result = import_csv(db.sessions, _file(tmp_path, "First Name,Groups", "Kyle,Donors"), options=_creating())

    assert result.unknown_groups == {}
    assert _count(db, Group) == 1


def _creating() -> ImportOptions:
    return ImportOptions(create_groups=True)


def test_a_row_whose_email_is_known_updates_that_contact(db: TestDatabase, tmp_path: Path) -> None:
    import_csv(db.sessions, _file(tmp_path, "First Name,Email,Email 2", "Kyle,kyle@example.org,ks@work.org"))
    path = _file(tmp_path, SIGN_UP, "Kyle,Silva,KS@WORK.ORG,555-0101,", name="again.csv")

    result = import_csv(db.sessions, path)

    (kyle,) = _contacts(db)
    assert (result.created, result.updated) == (0, 1)
    assert (kyle.last_name, kyle.phone) == ("Silva", "555-0101")
    assert [(e.address_normalized, e.is_primary) for e in kyle.emails] == [
        ("kyle@example.org", True),
        ("ks@work.org", False),
    ]


def test_a_blank_cell_never_erases_what_is_stored(db: TestDatabase, tmp_path: Path) -> None:
    import_csv(db.sessions, _file(tmp_path, SIGN_UP, "Kyle,Silva,kyle@example.org,555-0101,02139"))

    import_csv(db.sessions, _file(tmp_path, SIGN_UP, "Kyle,,kyle@example.org,,", name="b.csv"))

    (kyle,) = _contacts(db)
    assert (kyle.last_name, kyle.phone, kyle.postal_code) == ("Silva", "555-0101", "02139")


@pytest.mark.parametrize(
    ("policy", "created", "updated", "skipped", "contacts"),
    [
        (DuplicatePolicy.update, 0, 1, [2], 1),
        (DuplicatePolicy.skip, 0, 0, [2], 1),
        (DuplicatePolicy.create, 1, 0, [], 2),
    ],
)
def test_the_user_chooses_what_a_known_email_does(
    db: TestDatabase,
    tmp_path: Path,
    policy: DuplicatePolicy,
    created: int,
    updated: int,
    skipped: list[int],
    contacts: int,
) -> None:
    import_csv(db.sessions, _file(tmp_path, SIGN_UP, "Kyle,Silva,kyle@example.org,,"))

    path = _file(tmp_path, SIGN_UP, "Kyle,Sylva,kyle@example.org,,", name="b.csv")
    result = import_csv(db.sessions, path, options=ImportOptions(on_duplicate=policy))

    assert (result.created, result.updated) == (created, updated)
    assert [line for line, _ in result.skipped] == (skipped if policy is DuplicatePolicy.skip else [])
    assert len(_contacts(db)) == contacts


def test_rows_of_one_file_with_one_address_become_one_contact(db: TestDatabase, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        SIGN_UP,
        "Kyle,,kyle@example.org,,",
        "Bo,Lee,bo@example.org,,",
        ",Silva,KYLE@example.org,555,",
    )

    result = import_csv(db.sessions, path, options=ImportOptions(chunk_size=2))
    again = import_csv(db.sessions, path, options=ImportOptions(chunk_size=1))

    kyle, bo = _contacts(db)
    assert (result.created, result.merged) == (2, [4])
    assert (again.created, again.updated) == (0, 2)
    assert (kyle.first_name, kyle.last_name, kyle.phone, len(kyle.emails)) == ("Kyle", "Silva", "555", 1)
    assert bo.last_name == "Lee"


def test_a_killed_import_rerun_without_external_ids_never_duplicates(
    db: TestDatabase, tmp_path: Path
) -> None:
    lines = [f"P{n},Q,p{n}@example.org,,,Y" for n in range(7)]
    half = _file(tmp_path, SIGN_UP + ",Active", *lines[:3], name="half.csv")
    whole = _file(tmp_path, SIGN_UP + ",Active", *lines)
    import_csv(db.sessions, half)  # what committed before the kill

    result = import_csv(db.sessions, whole, options=ImportOptions(chunk_size=2))

    assert (result.created, result.updated, _count(db, Contact), _count(db, Email)) == (4, 3, 7, 7)


def test_rows_with_neither_email_nor_external_id_match_by_name_and_postal_code_on_rerun(
    db: TestDatabase, tmp_path: Path
) -> None:
    path = _file(tmp_path, SIGN_UP, "Kyle,Silva,,555,02139", "Kyle,Silva,,,90210")
    import_csv(db.sessions, path)

    result = import_csv(db.sessions, path)

    assert (result.created, result.updated, _count(db, Contact)) == (0, 2, 2)


def test_a_row_matching_two_different_contacts_is_rejected_naming_them(
    db: TestDatabase, tmp_path: Path
) -> None:
    import_csv(db.sessions, _file(tmp_path, SIGN_UP, "Kyle,,a@example.org,,", "Ana,,b@example.org,,"))
    path = _file(tmp_path, "First Name,Email,Other email", "Kyle,a@example.org,b@example.org", name="b.csv")

    result = import_csv(db.sessions, path)

    (rejection,) = result.rejected
    assert rejection.line == 2
    assert "Kyle" in rejection.error and "Ana" in rejection.error
    assert len(_contacts(db)) == 2


def test_the_template_header_imports_as_is(db: TestDatabase, tmp_path: Path) -> None:
    from constituent.crm.imports.columns import template_header

    path = _file(tmp_path, template_header(), "individual,Kyle,Silva,,k@example.org,,,,,,,,,,,,")

    result = import_csv(db.sessions, path)

    assert (result.created, result.ignored_columns, result.rejected) == (1, [], [])
