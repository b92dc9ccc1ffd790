"""Running the real ``constituent`` command in a subprocess against a test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import TestDatabase, with_tables
from tests.support import cli as cli_runner

EXECUTABLE = Path(sys.executable).with_name("constituent")


@dataclass(frozen=True)
class Cli:
    """The CLI bound to one migrated test database (the conftest's ``db`` has no Alembic stamp)."""

    db: TestDatabase
    data_dir: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``constituent *args`` in this process (Typer's runner)."""
        return cli_runner.run(self.env(), *args)

    def run_process(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The installed script in its own process: for the few end-to-end tests."""
        return subprocess.run(
            [str(EXECUTABLE), *args], env=self.env(), capture_output=True, text=True, timeout=60, check=False
        )

    def env(self) -> dict[str, str]:
        return {**os.environ, **self.db.env(), "CONSTITUENT_DATA_DIR": str(self.data_dir)}

    def json(self, *args: str) -> Any:
        done = self.run(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


def migrated_cli(empty_db: TestDatabase, tmp_path: Path) -> Cli:
    return Cli(with_tables(empty_db), tmp_path / "data")
