"""`constituent org show|set` as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TestDatabase

CLI = str(Path(sys.executable).with_name("constituent"))


def test_settings_are_set_from_the_cli_and_a_bad_value_names_its_option(
    empty_db: TestDatabase, tmp_path: Path
) -> None:
    env = {**os.environ, **empty_db.env(), "CONSTITUENT_DATA_DIR": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CLI, "org", *args], env=env, capture_output=True, text=True, check=False)

    changed = run(
        "set", "--organization-name", "Friends of the Park", "--from-email", "hi@friends.example", "--json"
    )
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)["organization_name"] == "Friends of the Park"

    bad = run("set", "--from-email", "nope")
    assert bad.returncode == 2 and "--from-email" in bad.stderr
    assert json.loads(run("show", "--json").stdout)["from_email"] == "hi@friends.example"
