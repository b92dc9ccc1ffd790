"""Pytest fixtures that serve the real Mailchimp emulator over HTTP (uvicorn in a background thread).

- ``emulator``: one shared emulator for the session (default config). Tests stay independent by each using
  their own account (``mc_account``); anything that changes the whole emulator (faults, reset, latency) must
  use
  ``emulator_factory`` instead.
- ``emulator_factory``: starts a private emulator with a custom :class:`EmulatorConfig`, stopped afterwards.
- ``mc_account``: a fresh account on the shared emulator, with an authenticated ``httpx.Client`` for /3.0.
  Every response that client receives can be checked by hooks in ``RESPONSE_HOOKS`` (the OpenAPI validator).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest
import uvicorn

from constituent.kit.tls import shared_ssl_context
from mailchimp_emulator.app import create_app
from mailchimp_emulator.config import EmulatorConfig
from mailchimp_emulator.state import Store
from tests.support.servers import KEEP_ALIVE_SECONDS

ResponseHook = Callable[[httpx.Response], None]
# Checks run on every response an ``mc_account`` client receives (the OpenAPI validator registers here).
RESPONSE_HOOKS: list[ResponseHook] = []


@dataclass
class RunningEmulator:
    """A served emulator: its URLs, its in-process store (for white-box checks) and a control client."""

    base_url: str
    store: Store
    server: uvicorn.Server
    thread: threading.Thread
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base_url, timeout=30, verify=shared_ssl_context())

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/3.0"

    def control(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        """Call ``/_emulator/<path>``; returns the decoded JSON body (None for 204) or raises on an error."""
        response = self.http.request(
            method, f"/_emulator/{path.lstrip('/')}", json=json, params=params or None
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def create_account(self, plan: str = "monthly", **extra: Any) -> dict[str, Any]:
        created: dict[str, Any] = self.control("POST", "accounts", {"plan": plan, **extra})
        return created

    def api_client(self, api_key: str, hooks: bool = True) -> httpx.Client:
        return httpx.Client(
            base_url=self.api_base,
            verify=shared_ssl_context(),
            auth=("anystring", api_key),
            timeout=30,
            event_hooks={"response": [_run_response_hooks]} if hooks else {},
        )

    def stop(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class McAccount:
    account_id: str
    api_key: str
    dc: str
    client: httpx.Client
    emulator: RunningEmulator

    def new_list(self, name: str = "Supporters", **overrides: Any) -> dict[str, Any]:
        response = self.client.post("/lists", json={**list_body(name), **overrides})
        assert response.status_code == 200, response.text
        created: dict[str, Any] = response.json()
        return created


def list_body(name: str = "Supporters") -> dict[str, Any]:
    """A valid POST /lists body."""
    return {
        "name": name,
        "contact": {"company": "Acme", "address1": "1 Main St", "city": "Springfield", "country": "US"},
        "permission_reminder": "You signed up on our site.",
        "campaign_defaults": {
            "from_name": "Acme",
            "from_email": "news@acme.co.uk",
            "subject": "News",
            "language": "en",
        },
        "email_type_option": False,
    }


def _run_response_hooks(response: httpx.Response) -> None:
    if RESPONSE_HOOKS:
        response.read()
        for hook in RESPONSE_HOOKS:
            hook(response)


def start_emulator(config: EmulatorConfig | None = None, store: Store | None = None) -> RunningEmulator:
    store = store if store is not None else Store()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = replace(config or EmulatorConfig(), host="127.0.0.1", port=port)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, store),
            log_level="warning",
            lifespan="on",
            access_log=False,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the emulator did not start")
        time.sleep(0.01)
    return RunningEmulator(f"http://127.0.0.1:{port}", store, server, thread)


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    running = start_emulator()
    yield running
    running.stop()


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., RunningEmulator]]:
    """``emulator_factory(EmulatorConfig(latency_ms=200), store=...)`` → a private emulator for this test."""
    started: list[RunningEmulator] = []

    def start(config: EmulatorConfig | None = None, store: Store | None = None) -> RunningEmulator:
        running = start_emulator(config, store)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


def account_on(emulator: RunningEmulator, plan: str = "monthly", **extra: Any) -> McAccount:
    created = emulator.create_account(plan, **extra)
    client = emulator.api_client(created["api_key"])
    return McAccount(created["account_id"], created["api_key"], created["dc"], client, emulator)


@pytest.fixture
def mc_account(emulator: RunningEmulator) -> Iterator[McAccount]:
    account = account_on(emulator)
    yield account
    account.client.close()
