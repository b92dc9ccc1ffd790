"""`constituent org show|set` (in this process, through Typer's runner)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import TestDatabase
from tests.support import cli as cli_runner


def test_settings_are_set_from_the_cli_and_a_bad_value_names_its_option(
    empty_db: TestDatabase, tmp_path: Path
) -> None:
    env = {**os.environ, **empty_db.env(), "CONSTITUENT_DATA_DIR": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return cli_runner.run(env, "org", *args)

    changed = run(
        "set", "--organization-name", "Friends of the Park", "--from-email", "hi@friends.example", "--json"
    )
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)["organization_name"] == "Friends of the Park"

    bad = run("set", "--from-email", "nope")
    assert bad.returncode == 2 and "--from-email" in bad.stderr
    assert json.loads(run("show", "--json").stdout)["from_email"] == "hi@friends.example"
