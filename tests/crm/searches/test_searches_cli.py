"""``constituent searches`` through a real subprocess on both databases (few calls: each starts Python)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import TestDatabase
from tests.crm.contacts.cli import Cli, migrated_cli
from tests.crm.searches.helpers import add_contact, add_gift

DONORS_IN_IL = json.dumps(
    {"all": [{"field": "state", "op": "eq", "value": "IL"}, {"field": "gift_count", "op": "gte", "value": 1}]}
)


@pytest.fixture
def cli(empty_db: TestDatabase, tmp_path: Path) -> Cli:
    cli = migrated_cli(empty_db, tmp_path)
    with empty_db.sessions() as session:
        for name, state, gift in [
            ("Ann", "IL", "50"),
            ("Bo", "IL", None),
            ("Cy", "WI", "20"),
            ("Di", "IL", "5"),
        ]:
            contact = add_contact(session, first_name=name, state=state)
            if gift:
                add_gift(session, contact, gift, "2026-01-02")
        session.commit()
    return cli


def test_a_search_is_created_run_and_listed(cli: Cli) -> None:
    created = cli.json("searches", "create", "IL donors", "--filter", DONORS_IN_IL)
    search_id = str(created["id"])

    result = cli.json("searches", "run", search_id)
    first_page = cli.json("searches", "run", search_id, "--limit", "1")
    plain = cli.run("searches", "run", search_id)
    listed = cli.json("searches", "list", "--today", "2026-03-01")

    assert created["filter"] == json.loads(DONORS_IN_IL) and created["is_quick_list"] is False
    assert result == {"search_id": created["id"], "count": 2, "contact_ids": [1, 4]}
    assert first_page == {"search_id": created["id"], "count": 2, "contact_ids": [1]}
    assert (plain.returncode, plain.stdout.split(), plain.stderr.strip()) == (
        0,
        ["1", "4"],
        "2 contact(s) match",
    )
    assert [s["name"] for s in listed] == [
        "Donors", "Lapsed donors", "Major donors", "New contacts", "Recent donors", "IL donors",
    ]  # fmt: skip


def test_bad_filters_exit_2_naming_the_wrong_part_and_save_nothing(cli: Cli) -> None:
    wrong_op = cli.run("searches", "create", "Bad", "--filter", '{"all": [{"field": "city", "op": "near"}]}')
    not_json = cli.run("searches", "create", "Bad", "--filter", '{"all": [')
    unknown = cli.run("searches", "run", "999")

    assert wrong_op.returncode == 2
    assert "filter.all[0].op: unknown operator 'near'" in wrong_op.stderr
    assert not_json.returncode == 2 and "--filter is not valid JSON" in not_json.stderr
    assert unknown.returncode == 1 and "saved search 999 not found" in unknown.stderr
    assert [s["name"] for s in cli.json("searches", "list") if not s["is_quick_list"]] == []


def test_a_search_beyond_the_size_limit_exits_2_saying_the_limit(cli: Cli) -> None:
    huge = {"all": [{"field": "city", "op": "eq", "value": f"Town {n}"} for n in range(1000)]}
    refused = cli.run("searches", "create", "Everywhere", "--filter", json.dumps(huge))
    assert refused.returncode == 2
    assert "at most 100 conditions; this one has 1000" in refused.stderr
    assert [s["name"] for s in cli.json("searches", "list") if not s["is_quick_list"]] == []
