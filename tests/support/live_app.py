"""Serve Constituent's real app over HTTP (uvicorn in a thread) on a free port, for tests where something
outside the process must call us: Mailchimp's webhook validator and deliveries, a browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from constituent.web.app import create_app
from tests.support.servers import KEEP_ALIVE_SECONDS


@dataclass(frozen=True)
class LiveApp:
    base_url: str


def free_port() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve_app(settings: Settings, database: Database, sock: socket.socket) -> Iterator[LiveApp]:
    """Serve on ``sock`` (bound beforehand, so ``settings.base_url`` can name its port)."""
    app = create_app(settings, database=database)
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=KEEP_ALIVE_SECONDS
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.01)
    try:
        yield LiveApp(f"http://127.0.0.1:{sock.getsockname()[1]}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
