"""`constituent demo` (what `make demo` runs): data, emulator, Mailchimp connected through its OAuth login,
the first sync, a few unsubscribes arriving as webhooks, a campaign; all reused on a second run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.live_app import free_port

pytestmark = pytest.mark.slow  # minutes on a loaded machine: left out of `make check`

CLI = str(Path(sys.executable).with_name("constituent"))


def _start_demo(data_dir: Path, port: int, emulator_port: int) -> subprocess.Popen[str]:
    # The demo stops on Ctrl-C, which a child ignores when the test run does (a shell starts background
    # jobs with SIGINT ignored): a handler here means the child starts with Ctrl-C at its default.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSTITUENT_")}
    env["CONSTITUENT_DATA_DIR"] = str(data_dir)
    return subprocess.Popen(
        [CLI, "demo", "--contacts", "200", "--port", str(port), "--emulator-port", str(emulator_port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for_webhook(base_url: str, token: str) -> dict[str, object]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            listed = httpx.get(
                f"{base_url}/api/v1/integrations/mailchimp", headers={"Authorization": f"Bearer {token}"}
            ).json()
            if listed and listed[0]["webhook_state"] == "registered":
                integration: dict[str, object] = listed[0]
                return integration
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise AssertionError("the demo did not come up with a registered webhook")


_SEEN: dict[int, list[str]] = {}


def _wait_for_output_line(process: subprocess.Popen[str], line: str) -> None:
    """Read the demo's output until ``line`` (what was read is kept for _stop)."""
    assert process.stdout is not None
    seen = _SEEN.setdefault(process.pid, [])
    while not any(line in s for s in seen):
        read = process.stdout.readline()
        assert read, f"the demo ended before printing {line!r}: {''.join(seen)}"
        seen.append(read)


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    return "".join(_SEEN.pop(process.pid, [])) + output


def test_the_demo_builds_everything_once_and_reuses_it_on_the_next_run(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    app_sock, emulator_sock = free_port(), free_port()
    port, emulator_port = app_sock.getsockname()[1], emulator_sock.getsockname()[1]
    app_sock.close()
    emulator_sock.close()
    base_url = f"http://127.0.0.1:{port}"

    first = _start_demo(data_dir, port, emulator_port)
    try:
        login = _login_when_written(data_dir)
        integration = _wait_for_webhook(base_url, login["api_token"])
        api = httpx.Client(
            base_url=f"{base_url}/api/v1", headers={"Authorization": f"Bearer {login['api_token']}"}
        )
        assert api.get("/contacts").json()["total"] > 150
        assert integration["auth_kind"] == "oauth", "connected through Mailchimp's login page"
        _wait_for_output_line(first, "Press Ctrl-C to stop.")
        runs = api.get(f"/integrations/mailchimp/{integration['id']}/runs").json()
        [first_sync] = [run for run in runs if run["trigger"] == "first_sync"]  # a nightly run may follow
        assert first_sync["status"] == "succeeded" and first_sync["created"] > 5
        events = api.get("/webhook-events", params={"limit": 200}).json()["items"]
        unsubscribes = [e for e in events if e["event_type"] == "unsubscribe"]
        assert [e["status"] for e in unsubscribes] == ["processed"] * 3
    finally:
        first_output = _stop(first)
    assert "Creating 200 demo contacts" in first_output
    assert "Connected Mailchimp through its login page (OAuth)" in first_output
    assert "First sync succeeded" in first_output
    # The count short of --contacts is explained (issue 16), in the importer's own numbers.
    assert "generated rows shared an email with an earlier row (a household)" in first_output
    assert "3 people unsubscribed in Mailchimp" in first_output
    assert "Sent the campaign 'Spring cleanup at Elm Park' from Mailchimp" in first_output
    assert "Stopping..." in first_output
    assert (data_dir / "emulator-state.jsonl.gz").exists()

    second = _start_demo(data_dir, port, emulator_port)
    try:
        again = _wait_for_webhook(base_url, login["api_token"])
        assert again["audience_id"] == integration["audience_id"]
    finally:
        second_output = _stop(second)
    assert "Reusing the demo database" in second_output
    assert "Reusing the Mailchimp integration" in second_output
    assert "First sync" not in second_output and "Connected Mailchimp" not in second_output


def _login_when_written(data_dir: Path) -> dict[str, str]:
    path = data_dir / "demo-login.json"
    deadline = time.monotonic() + 90
    while not path.exists():
        assert time.monotonic() < deadline, "the demo wrote no login"
        time.sleep(0.2)
    time.sleep(0.2)
    login: dict[str, str] = json.loads(path.read_text())
    assert path.stat().st_mode & 0o777 == 0o600
    return login


def test_a_port_in_use_is_named_in_one_line_with_the_option_to_change_it(tmp_path: Path) -> None:
    """Issue 16: `make demo` with port 8000 taken printed a traceback after building the database."""
    taken = free_port()  # held open, listening: the port is in use
    taken.listen()
    port = taken.getsockname()[1]
    emulator = free_port()
    emulator_port = emulator.getsockname()[1]
    emulator.close()

    process = _start_demo(tmp_path / "data", port, emulator_port)
    output, _ = process.communicate(timeout=120)
    taken.close()

    assert process.returncode == 2, output
    assert output.strip().splitlines() == [
        f"Port {port} is already in use by another program: "
        f"start the demo on another with --port (for example --port {port + 1})."
    ]
    assert not list((tmp_path / "data").glob("*.db")), "nothing was built first"
