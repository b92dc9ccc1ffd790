"""`constituent serve --with-worker` (the one-machine setup): a Force Sync over the API is queued (202)
and run by the worker inside the server; /readyz sees the database and the queue; /metrics counts the
run for a token holder; SIGTERM stops both."""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from constituent.auth import service as auth
from constituent.auth.models import Role
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import CLI, Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect
from tests.jobs.conftest import wait_for

pytestmark = pytest.mark.slow  # minutes on a loaded machine: left out of `make check`


@pytest.fixture
def server(product: Product, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**product.env(), "CONSTITUENT_QUEUE_URL": product.settings.resolved_queue_url}
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [CLI, "serve", "--with-worker", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base_url, process), timeout=30, interval=0.2)
        yield base_url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=15)
        log.close()


def _answers(base_url: str, process: subprocess.Popen[str]) -> bool:
    assert process.poll() is None, "the server exited"
    try:
        return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def api_token(product: Product) -> str:
    with session_scope(product.db.sessions) as session:
        auth.create_user(session, "ops@mailbox.org", "a long enough password", role=Role.staff)
        return auth.create_token(session, "ops@mailbox.org", name="prometheus").raw


def test_a_force_sync_is_queued_and_run_by_the_worker_in_the_server(
    product: Product, server: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    base_url, process = server
    audience: Audience = connect(product)
    add_people(product, "ada@mailbox.org", "bob@mailbox.org")
    headers = {"Authorization": f"Bearer {api_token(product)}"}

    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
        answer = http.post(f"/api/v1/integrations/mailchimp/{audience.integration_id}/sync", json={})
        run_id = answer.json()["run_id"]
        finished = wait_for(lambda: _finished(http, run_id), timeout=60, interval=0.2)
        ready = httpx.get(f"{base_url}/readyz")
        metrics = http.get("/metrics")
        anonymous = httpx.get(f"{base_url}/metrics")

    assert answer.status_code == 202 and answer.json()["status"] in ("queued", "running")
    assert finished == {"status": "succeeded", "created": 2}
    assert set(audience.members()) == {"ada@mailbox.org", "bob@mailbox.org"}
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok", "queue": "ok"})
    assert anonymous.status_code == 401
    assert metrics.status_code == 200
    assert 'constituent_sync_runs_total{outcome="succeeded"} 1.0' in metrics.text
    assert "constituent_members_synced_total 2.0" in metrics.text
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) in (0, -signal.SIGTERM)  # uvicorn ends with the signal it caught
    assert "worker stopped" in (tmp_path / "serve.log").read_text()


def _finished(http: httpx.Client, run_id: int) -> dict[str, object] | None:
    run = http.get(f"/api/v1/sync-runs/{run_id}").json()
    if run["status"] in ("queued", "running"):
        return None
    return {"status": run["status"], "created": run["created"]}
