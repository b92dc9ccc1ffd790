"""`constituent serve` as a real process over real HTTP: migrates on start, answers /healthz and the API."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TestDatabase

pytestmark = pytest.mark.slow  # minutes on a loaded machine: left out of `make check`

CLI = str(Path(sys.executable).with_name("constituent"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited before answering"
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not become healthy within 30 s")


@pytest.fixture
def env(empty_db: TestDatabase, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, **empty_db.env(), "CONSTITUENT_DATA_DIR": str(tmp_path)}


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    # The database is empty: `serve` itself must create the schema before it answers.
    process = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        _wait_until_healthy(base_url, process)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=15)


def _token(env: dict[str, str]) -> str:
    subprocess.run(
        [CLI, "users", "create", "ops@mailbox.org", "--admin", "--password-stdin"],
        input="a long enough password\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    created = subprocess.run(
        [CLI, "tokens", "create", "ops@mailbox.org", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return str(json.loads(created.stdout)["token"])


def test_a_served_api_answers_over_real_http_with_a_cli_made_token(server: str, env: dict[str, str]) -> None:
    token = _token(env)
    with httpx.Client(base_url=f"{server}/api/v1", headers={"Authorization": f"Bearer {token}"}) as api:
        assert api.get("/me").json()["role"] == "admin"
        created = api.post(
            "/contacts", json={"first_name": "Ada", "emails": [{"address": "ada@mailbox.org"}]}
        )
        assert created.status_code == 201
        assert api.get("/contacts", params={"email": "ada@mailbox.org"}).json()["total"] == 1
    unauthorized = httpx.get(f"{server}/api/v1/contacts")
    assert unauthorized.status_code == 401
    assert unauthorized.headers["www-authenticate"] == "Bearer"
    assert httpx.get(f"{server}/api/v1/openapi.json").json()["info"]["title"] == "Constituent API"
