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

    imported = cli.json("contacts", "import", path)
    [listed] = cli.json("contacts", "list", "--email", "ann@example.org")["contacts"]
    shown = cli.json("contacts", "show", str(listed["id"]))
    exported = cli.json("contacts", "export", str(out))

    assert imported == {
        "imported": 2,
        "updated": 0,
        "rejected": [{"line": 3, "error": "an organization needs an organization name"}],
    }
    assert (shown["display_name"], shown["external_id"]) == ("Ann Lee", "A1")
    assert [e["address"] for e in shown["emails"]] == ["Ann@Example.org"]
    assert [(g["group_name"], g["label"]) for g in shown["groups"]] == [("Donors", "Added (by Import)")]
    assert shown["past_groups"] == []
    assert exported["exported"] == 2
    assert (
        out.read_text().splitlines()[1].startswith("individual,Ann,Lee,,Ann@Example.org,true,false,Donors,A1")
    )


def test_import_with_a_wrong_header_exits_non_zero_naming_the_column(cli: Cli, tmp_path: Path) -> None:
    done = cli.run("contacts", "import", _csv(tmp_path, "individual,Ann", header="kind,first_name"))

    assert done.returncode != 0
    assert "missing required column(s): last_name" in done.stderr
    with cli.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_show_of_an_unknown_contact_fails_with_a_message(cli: Cli) -> None:
    done = cli.run("contacts", "show", "404")
    assert (done.returncode, done.stderr.strip()) == (1, "error: contact 404 not found")
