"""``constituent contacts`` through a real subprocess, on both databases (few calls: each starts Python)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from constituent.crm.contacts.models import Contact
from tests.conftest import TestDatabase
from tests.crm.contacts.cli import Cli, migrated_cli

HEADER = "kind,first_name,last_name,organization_name,email,is_active,do_not_email,groups,external_id"


@pytest.fixture
def cli(empty_db: TestDatabase, tmp_path: Path) -> Cli:
    return migrated_cli(empty_db, tmp_path)


def _csv(tmp_path: Path, *lines: str, header: str = HEADER) -> str:
    path = tmp_path / "in.csv"
    path.write_text("\n".join((header, *lines)) + "\n")
    return str(path)


def test_an_imported_contact_can_be_listed_shown_and_exported(cli: Cli, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "individual,Ann,Lee,,Ann@Example.org,true,false,Donors,A1",
        "organization,,,,,true,false,,",
        "individual,Bo,,,bo@example.org,yes,no,,",
    )
    out = tmp_path / "out.csv"

    imported = cli.json("contacts", "import", path, "--create-groups")
    [listed] = cli.json("contacts", "list", "--email", "ann@example.org")["contacts"]
    shown = cli.json("contacts", "show", str(listed["id"]))
    exported = cli.json("contacts", "export", str(out))

    assert imported == {
        "created": 2,
        "updated": 0,
        "merged": [],
        "skipped": [],
        "rejected": [{"line": 3, "error": "an organization needs an organization name"}],
        "unknown_groups": {},
        "ignored_columns": [],
        "read_as": "Read as UTF-8 text, columns separated by commas",
        "header_line": 1,
    }
    assert (shown["display_name"], shown["external_id"]) == ("Ann Lee", "A1")
    assert [e["address"] for e in shown["emails"]] == ["Ann@Example.org"]
    assert [(g["group_name"], g["label"]) for g in shown["groups"]] == [("Donors", "Added (by Import)")]
    assert shown["past_groups"] == []
    assert exported["exported"] == 2
    assert (
        out.read_text().splitlines()[1].startswith("individual,Ann,Lee,,Ann@Example.org,true,false,Donors,A1")
    )


def test_import_with_no_name_or_email_column_exits_non_zero_naming_the_columns(
    cli: Cli, tmp_path: Path
) -> None:
    done = cli.run("contacts", "import", _csv(tmp_path, "individual,02139", header="kind,Zip"))

    assert done.returncode != 0
    assert "no column holds a name or an email (found: kind, Zip)" in done.stderr
    with cli.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_windows_sheet_with_a_title_and_semicolons_imports_and_says_how_it_was_read(
    cli: Cli, tmp_path: Path
) -> None:
    sheet = tmp_path / "excel.csv"
    lines = ("Rally sign-ups;;", "First Name;Last Name;Email", "Zoë;Müller;zoe@mailbox.org")
    sheet.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")

    done = cli.run("contacts", "import", str(sheet))

    assert done.returncode == 0, done.stderr
    assert "created 1," in done.stdout
    assert "Read as Windows text, columns separated by semicolons" in done.stdout
    assert "column names read from line 2; the lines above them were left out" in done.stdout
    with cli.db.sessions() as session:
        assert session.execute(select(Contact.first_name, Contact.last_name)).one() == ("Zoë", "Müller")


def test_a_sign_up_sheet_imports_with_a_map_and_reports_unknown_groups(cli: Cli, tmp_path: Path) -> None:
    sheet = _csv(
        tmp_path,
        "Kyle,Silva,kyle@example.org,555-0101,02139,Donrs,44",
        "Kyle,Silva,KYLE@example.org,,,,",
        header="First Name,Last Name,Email,Phone,Zip,Groups,Shoe size",
    )

    first = cli.run("contacts", "import", sheet, "--map", "Shoe size=city")
    again = cli.json("contacts", "import", sheet, "--on-duplicate", "skip")

    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "created 1, updated 0, merged 1, skipped 0, rejected 0",
        "  merged into an earlier row of the file: line(s) 3",
        "  group 'Donrs' does not exist (line(s) 2); --create-groups creates it",
    ]
    assert (again["created"], again["skipped"], again["ignored_columns"]) == (
        0,
        [{"line": 2, "contact_id": 1}],
        ["Shoe size"],
    )


def test_a_mapping_saved_by_name_reads_the_next_file_like_the_first(cli: Cli, tmp_path: Path) -> None:
    """Issue 15: "the mapping can be saved and reused"."""
    header = "Given,Surname,E-post,Post area"
    first = _csv(tmp_path, "Ann,Lee,ann@example.org,02139", header=header)
    maps = ("--map", "Given=first_name", "--map", "E-post=email", "--map", "Post area=postal_code")
    maps = (*maps, "--save-mapping", "Newsletter sheet")
    assert cli.run("contacts", "import", first, *maps).returncode == 0

    second = tmp_path / "second.csv"
    second.write_text(f"{header},Shoe size\nBo,Diaz,bo@example.org,10001,44\n")
    reused = cli.json("contacts", "import", str(second), "--saved-mapping", "Newsletter sheet")
    unknown = cli.run("contacts", "import", str(second), "--saved-mapping", "Nope")

    assert reused["created"] == 1 and reused["ignored_columns"] == ["Shoe size"]
    with cli.db.sessions() as session:
        bo = session.scalars(select(Contact).where(Contact.first_name == "Bo")).one()
        assert (bo.postal_code, [e.address for e in bo.emails]) == ("10001", ["bo@example.org"])
    assert unknown.returncode == 1
    assert "no import mapping is called 'Nope' (saved: Newsletter sheet)" in unknown.stderr


def test_the_template_is_a_header_that_imports_as_is(cli: Cli, tmp_path: Path) -> None:
    done = cli.run("contacts", "import", "--template")

    path = tmp_path / "t.csv"
    path.write_text(done.stdout + "individual,Ann" + "," * 15 + "\n")
    assert cli.json("contacts", "import", str(path))["created"] == 1


def test_show_of_an_unknown_contact_fails_with_a_message(cli: Cli) -> None:
    done = cli.run("contacts", "show", "404")
    assert (done.returncode, done.stderr.strip()) == (1, "error: contact 404 not found")


def test_possible_duplicates_are_listed_merged_and_a_contact_deleted(cli: Cli, tmp_path: Path) -> None:
    sheet = _csv(
        tmp_path,
        "Kyle,Silva,kyle@example.org,02139",
        "Kyle,Silva,,02139",
        "Ana,Lee,ana@example.org,90210",
        header="First Name,Last Name,Email,Zip",
    )
    cli.run("contacts", "import", sheet, "--on-duplicate", "create")
    # A second Kyle and Ana by email; the Kyle without one matches two Kyles and is rejected.
    cli.run("contacts", "import", sheet, "--on-duplicate", "create")

    pairs = cli.json("contacts", "duplicates")["pairs"]
    merged = cli.json("contacts", "merge", "1", "4", "--take", "postal_code")
    refused = cli.run("contacts", "merge", "1", "1")
    deleted = cli.run("contacts", "delete", "5", "--yes")
    listed = cli.json("contacts", "list")

    assert pairs[0] == {
        "contact_ids": [1, 4],
        "reasons": ["same email", "same name and postal code"],
        "score": 6,
    }
    assert merged["merged"] == "Kyle Silva (contact 4)"
    assert (refused.returncode, refused.stderr.strip()) == (
        1,
        "error: other_id: a contact cannot be merged into itself",
    )
    assert deleted.stdout.strip() == "deleted Ana Lee (contact 5)", deleted.stderr
    assert sorted(c["id"] for c in listed["contacts"]) == [1, 2, 3]


def test_an_address_another_contact_holds_is_refused_in_one_line_unless_allowed(cli: Cli) -> None:
    kyle = cli.json(
        "contacts", "add", "--first-name", "Kyle", "--last-name", "Silva", "--email", "kyle@example.org"
    )
    ana = cli.json("contacts", "add", "--first-name", "Ana", "--last-name", "Lee")

    refused_new = cli.run("contacts", "add", "--first-name", "K", "--email", "Kyle@Example.org")
    refused_added = cli.run("contacts", "add-email", str(ana["id"]), "KYLE@example.org")
    allowed = cli.json("contacts", "add-email", str(ana["id"]), "kyle@example.org", "--allow-duplicate")

    held = f"error: Kyle@Example.org already belongs to Kyle Silva (contact {kyle['id']})"
    hint = " (--allow-duplicate adds it anyway)"
    assert (refused_new.returncode, refused_new.stderr.strip()) == (1, held + hint)
    assert (refused_added.returncode, refused_added.stderr.strip()) == (
        1,
        held.replace("Kyle@Example", "KYLE@example") + hint,
    )
    assert allowed["address"] == "kyle@example.org"
    assert [c["id"] for c in cli.json("contacts", "list")["contacts"]] == [kyle["id"], ana["id"]]
