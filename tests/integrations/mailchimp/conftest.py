"""Helpers for Mailchimp integration tests: settings pointing at the emulator, a secret box, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from constituent.auth import service as auth_service
from constituent.auth.models import Role
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.kit.tls import shared_ssl_context
from tests.conftest import TestDatabase
from tests.support import cli as cli_runner
from tests.support.emulator import RunningEmulator
from tests.support.live_app import free_port, serve_app

CLI = str(Path(sys.executable).with_name("constituent"))


@dataclass
class Product:
    """Constituent's settings and database for one test, pointed at the emulator."""

    settings: Settings
    db: TestDatabase
    emulator: RunningEmulator

    @property
    def box(self) -> SecretBox:
        return SecretBox.from_settings(self.settings)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.db.env())
        env["CONSTITUENT_DATA_DIR"] = str(self.settings.data_dir)
        env["CONSTITUENT_MAILCHIMP_API_BASE"] = self.emulator.api_base
        env["CONSTITUENT_MAILCHIMP_OAUTH_BASE"] = self.emulator.base_url
        env["CONSTITUENT_BASE_URL"] = self.settings.base_url
        return env

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """``constituent *args`` in this process (Typer's runner): same options, output and exit codes."""
        return cli_runner.run(self.env(), *args, stdin=stdin)

    def cli_process(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """The installed ``constituent`` script in its own process: for the few end-to-end tests."""
        return subprocess.run(
            [CLI, *args], env=self.env(), input=stdin, capture_output=True, text=True, timeout=60, check=False
        )

    def cli_json(self, *args: str, stdin: str | None = None) -> Any:
        result = self.cli(*args, "--json", stdin=stdin)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def _every_request_checked_against_the_spec(spec_checked_httpx: None) -> None:
    """Every request our client sends (and every answer) is validated against Mailchimp's OpenAPI file.

    Autouse for this whole folder, so no product test can talk to Mailchimp unchecked. (CLI
    subprocesses run outside this patch; their requests are the same client code paths.)
    """


@pytest.fixture
def product(db: TestDatabase, emulator: RunningEmulator, tmp_path: Path) -> Product:
    # Stamped as migrated (see ``with_tables``), so CLI runs find it ready.
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db.url,
        mailchimp_api_base=emulator.api_base,
        mailchimp_oauth_base=emulator.base_url,
        # Nothing listens here: webhook validation fails unless a test serves the app.
        base_url="http://127.0.0.1:9",
        # An API-requested sync runs in the request (Huey immediate mode); tests/jobs cover real queues.
        queue_url="memory://",
    )
    return Product(settings, db, emulator)


@contextmanager
def served_api(product: Product, role: Role) -> Iterator[httpx.Client]:
    """Our app served over HTTP, and a client of its API holding a token of a user with ``role``."""
    email = f"{role.value}@mailbox.org"
    with session_scope(product.db.sessions) as session:
        auth_service.create_user(session, email, f"{role.value} password", role=role)
        token = auth_service.create_token(session, email).raw
    database = Database(product.db.engine, product.db.sessions)
    with serve_app(product.settings, database, free_port()) as live:
        headers = {"Authorization": f"Bearer {token}"}
        api = f"{live.base_url}/api/v1"
        with httpx.Client(base_url=api, headers=headers, timeout=60, verify=shared_ssl_context()) as client:
            yield client
