"""`constituent users` and `constituent tokens` (run in this process by Typer's runner, with their real
options, stdin and exit codes): passwords from stdin, tokens shown once."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import TestDatabase
from tests.support import cli as cli_runner


@pytest.fixture
def env(empty_db: TestDatabase, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, **empty_db.env(), "CONSTITUENT_DATA_DIR": str(tmp_path)}


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return cli_runner.run(env, *args, stdin=stdin)


def test_a_token_is_printed_once_only_its_hash_is_stored_and_it_can_be_revoked(
    env: dict[str, str], empty_db: TestDatabase
) -> None:
    created = run(
        env, "users", "create", "Ops@Example.org", "--admin", "--password-stdin", stdin="long password\n"
    )
    assert created.returncode == 0, created.stderr
    issued = run(env, "tokens", "create", "ops@example.org", "--name", "backup script")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("cst_") and "not be shown again" in issued.stderr

    with empty_db.engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM api_tokens")).all()
        user = connection.execute(text("SELECT email, role, password_hash FROM users")).one()
    assert token not in repr(stored)
    assert (user.email, user.role) == ("ops@example.org", "admin")
    assert user.password_hash.startswith("$argon2id$")

    assert run(env, "tokens", "revoke", "1").returncode == 0
    [listed] = json.loads(run(env, "tokens", "list", "--json").stdout)
    assert token not in json.dumps(listed)
    assert (listed["prefix"], listed["name"], listed["user"]) == (
        token[:12],
        "backup script",
        "ops@example.org",
    )
    assert listed["revoked_at"] is not None


def test_cli_mistakes_end_with_a_clear_message_and_a_failing_exit_code(env: dict[str, str]) -> None:
    short = run(env, "users", "create", "a@example.org", "--password-stdin", stdin="short\n")
    assert short.returncode != 0 and "password: must be at least 8 characters" in short.stderr
    unknown = run(env, "tokens", "revoke", "999")
    assert unknown.returncode != 0 and "token 999 not found" in unknown.stderr
