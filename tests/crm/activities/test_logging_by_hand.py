"""Notes, calls, meetings and emails logged from the CLI: the type in words, the time in UTC, the
operating-system user credited; bad input refused with nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TestDatabase
from tests.crm.contacts.cli import Cli, migrated_cli


@pytest.fixture
def cli(empty_db: TestDatabase, tmp_path: Path) -> Cli:
    return migrated_cli(empty_db, tmp_path)


def _ann(cli: Cli, tmp_path: Path) -> str:
    csv = tmp_path / "in.csv"
    csv.write_text("kind,first_name,email\nindividual,Ann,ann@example.org\n")
    cli.json("contacts", "import", str(csv))
    [ann] = cli.json("contacts", "list", "--email", "ann@example.org")["contacts"]
    return str(ann["id"])


def test_a_meeting_logged_from_the_cli_is_listed_in_words_with_who_logged_it(
    cli: Cli, tmp_path: Path
) -> None:
    contact = _ann(cli, tmp_path)

    logged = cli.json(
        "activities", "log", contact, "meeting", "Coffee at the office", "--at", "2026-03-31T09:30"
    )
    listed = cli.run("activities", "list", contact)

    assert (logged["type"], logged["type_label"]) == ("meeting", "Meeting")
    assert logged["occurred_at"].startswith("2026-03-31T09:30:00")
    assert logged["source"].startswith("cli:")
    assert listed.returncode == 0
    assert "2026-03-31 09:30 UTC  Meeting: Coffee at the office (by cli:" in listed.stdout
    assert "1 of 1 activities" in listed.stdout


def test_the_cli_refuses_an_unknown_type_a_bad_time_and_empty_words_storing_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    contact = _ann(cli, tmp_path)

    unknown = cli.run("activities", "log", contact, "email_sent", "x")
    bad_time = cli.run("activities", "log", contact, "note", "x", "--at", "last tuesday")
    blank = cli.run("activities", "log", contact, "note", "  ")
    ghost = cli.run("activities", "log", "999999", "note", "x")

    assert unknown.returncode == 2 and "email_sent" in unknown.stderr
    assert bad_time.returncode == 2 and "--at is not a date and time" in bad_time.stderr
    assert blank.returncode == 1 and "subject: must say in a few words what happened" in blank.stderr
    assert ghost.returncode == 1 and "999999" in ghost.stderr
    assert cli.json("activities", "list", contact)["total"] == 0
