"""``constituent groups`` through a real subprocess: add, remove (a past group), rejoin."""

from __future__ import annotations

from pathlib import Path

import pytest

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.schemas import ContactCreate
from constituent.crm.groups import service as groups
from tests.conftest import TestDatabase
from tests.crm.contacts.cli import Cli, migrated_cli


@pytest.fixture
def cli(empty_db: TestDatabase, tmp_path: Path) -> Cli:
    cli = migrated_cli(empty_db, tmp_path)
    with empty_db.sessions() as session:
        for name in ("Ann", "Bo"):
            contacts.create_contact(session, ContactCreate(first_name=name), "test")
        groups.create_group(session, "Donors", actor="test")
        session.commit()
    return cli


@pytest.mark.slow
def test_removing_keeps_a_past_group_and_rejoin_brings_it_back(cli: Cli) -> None:
    gid = str(cli.json("groups", "create", "Volunteers")["id"])

    added = cli.json("groups", "add", gid, "1", "2", "99")
    removed = cli.json("groups", "remove", gid, "1")
    [past] = cli.json("contacts", "show", "1")["past_groups"]
    rejoined = cli.json("groups", "rejoin", str(past["membership_id"]))
    rejoin_again = cli.run("groups", "rejoin", str(past["membership_id"]))
    members = cli.json("groups", "members", gid)

    assert added == {"added": [1, 2], "already_members": [], "unknown": [99]}
    assert removed == {"removed": [1], "not_members": [], "unknown": []}
    assert (past["group_name"], past["status"], past["removed_at"] is not None) == (
        "Volunteers",
        "removed",
        True,
    )
    assert rejoined["contact_id"] == 1
    assert (rejoin_again.returncode, "already a current member" in rejoin_again.stderr) == (1, True)
    assert sorted(m["contact_id"] for m in members["members"]) == [1, 2]


def test_a_duplicate_group_name_fails_with_a_message(cli: Cli) -> None:
    done = cli.run("groups", "create", "Donors")
    assert (done.returncode, done.stderr.strip()) == (1, "error: a group named 'Donors' already exists")
