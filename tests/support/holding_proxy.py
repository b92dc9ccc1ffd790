"""A small HTTP proxy in front of the emulator that opens timing windows on purpose.

A test asks it to hold one request: ``before`` forwarding it (the product is waiting, Mailchimp has not
seen it yet) or ``after`` forwarding it (Mailchimp applied it, the product has not heard back). The test
waits until the request ``arrived``, does what it needs in that window (an unsubscribe in Mailchimp, a
webhook, a SIGKILL, another run), then releases it. No sleeping: every step waits on an event.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import httpx
import pytest
import uvicorn

from tests.support.servers import KEEP_ALIVE_SECONDS

T = TypeVar("T")
Stage = Literal["before", "after"]
WAIT_SECONDS = 60.0
_HOP_HEADERS = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}


@dataclass
class Hold:
    """One request held at ``stage``; ``arrived`` is set when it is, ``release()`` lets it go on."""

    method: str
    path: re.Pattern[str]
    stage: Stage
    query: re.Pattern[str] | None = None  # searched in the query string, when given
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    taken: bool = False

    def matches(self, method: str, path: str, query: str = "") -> bool:
        if self.taken or method != self.method or not self.path.search(path):
            return False
        return self.query is None or bool(self.query.search(query))

    def wait_arrived(self, timeout: float = WAIT_SECONDS) -> None:
        if not self.arrived.wait(timeout):
            raise AssertionError(f"no {self.method} {self.path.pattern} reached the proxy")

    def release(self) -> None:
        self.released.set()


@dataclass
class ForwardedRequest:
    method: str
    path: str
    at: float  # time.monotonic() when it was forwarded


class HoldingProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.holds: list[Hold] = []
        self.forwarded: list[ForwardedRequest] = []
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/3.0"

    def hold(
        self, method: str, path_pattern: str, stage: Stage = "before", query_pattern: str | None = None
    ) -> Hold:
        query = None if query_pattern is None else re.compile(query_pattern)
        held = Hold(method.upper(), re.compile(path_pattern), stage, query)
        with self._lock:
            self.holds.append(held)
        return held

    def writes_since(self, moment: float) -> list[ForwardedRequest]:
        with self._lock:
            return [r for r in self.forwarded if r.method != "GET" and r.at >= moment]

    def _take(self, method: str, path: str, query: str) -> Hold | None:
        with self._lock:
            for held in self.holds:
                if held.matches(method, path, query):
                    held.taken = True
                    return held
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        method, path = scope["method"], scope["path"]
        held = self._take(method, path, scope.get("query_string", b"").decode())
        if held is not None and held.stage == "before":
            await _wait(held)
        with self._lock:
            self.forwarded.append(ForwardedRequest(method, path, time.monotonic()))
        answer = await self._forward(scope, body)
        if held is not None and held.stage == "after":
            await _wait(held)
        headers = [(k.encode(), v.encode()) for k, v in answer.headers.items() if k not in _HOP_HEADERS]
        await send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": answer.content})

    async def _forward(self, scope: dict[str, Any], body: bytes) -> httpx.Response:
        headers = {
            k.decode(): v.decode() for k, v in scope["headers"] if k.decode().lower() not in _HOP_HEADERS
        }
        query = scope.get("query_string", b"").decode()
        url = f"{self.upstream}{scope['path']}" + (f"?{query}" if query else "")
        async with httpx.AsyncClient(timeout=120) as client:
            return await client.request(scope["method"], url, headers=headers, content=body)

    def start(self) -> HoldingProxy:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(
            self, log_level="warning", lifespan="off", access_log=False, timeout_keep_alive=KEEP_ALIVE_SECONDS
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the proxy did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        with self._lock:
            for held in self.holds:
                held.release()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)


def second_arrives_while_first_is_held(run: Callable[[], T], first: Hold, second: Hold) -> T:
    """Run ``run`` in a thread; ``second`` must reach the proxy while ``first`` is held (else an
    AssertionError after 20 s); both are then released and ``run``'s result is returned."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(run)
        try:
            first.wait_arrived()
            second.wait_arrived(timeout=20)
        finally:
            first.release()
            second.release()
        return running.result(timeout=60)


async def _wait(held: Hold) -> None:
    held.arrived.set()
    released = await asyncio.to_thread(held.released.wait, WAIT_SECONDS)
    if not released:
        raise RuntimeError(f"{held.method} {held.path.pattern} was never released")


@pytest.fixture
def holding_proxy_factory() -> Iterator[Any]:
    """``holding_proxy_factory(upstream_base_url)`` → a started proxy, stopped after the test."""
    started: list[HoldingProxy] = []

    def start(upstream: str) -> HoldingProxy:
        proxy = HoldingProxy(upstream).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()
