"""A tiny real HTTP server standing in for a webhook receiver: it records every request and answers with
scripted statuses (and, to test timeouts, scripted delays). Use it as a context manager."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))


class WebhookReceiver:
    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self.default_status = 200
        self._script: deque[tuple[int, float]] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def answer(self, *statuses: int, delay: float = 0.0) -> None:
        """The next requests get these statuses (each after ``delay`` seconds), then ``default_status``."""
        with self._lock:
            self._script.extend((status, delay) for status in statuses)

    def posts(self) -> list[ReceivedRequest]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def wait_for_posts(self, count: int, timeout: float = 10.0) -> list[ReceivedRequest]:
        return wait_until(lambda: len(self.posts()) >= count, timeout, f"{count} POSTs") and self.posts()

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record(self, request: ReceivedRequest) -> tuple[int, float]:
        with self._lock:
            self.requests.append(request)
            return self._script.popleft() if self._script else (self.default_status, 0.0)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "the condition") -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout} s")
        time.sleep(0.02)
    return True


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._respond()

        def do_POST(self) -> None:
            self._respond()

        def _respond(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = ReceivedRequest(self.command, self.path, dict(self.headers.items()), body)
            status, delay = receiver._record(request)
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the emulator gave up waiting (a timeout test): nobody is listening any more

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
