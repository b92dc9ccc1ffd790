"""Fixtures for the jobs: queue URLs on each backend, a product (settings + database + emulator) whose
settings name a real queue, and `constituent worker` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from constituent.kit.runtime import Database
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase
from tests.integrations.mailchimp.conftest import CLI, Product
from tests.support.emulator import RunningEmulator


def _redis_url() -> str:
    """Redis database 15 for a serial run; under pytest-xdist one database per worker (gw0 15, gw1 14,
    ...), because a test flushes its database when it ends."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    database = 15 - int(worker.removeprefix("gw") or 0) % 15
    return os.environ.get("CONSTITUENT_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{database}")


REDIS_URL = _redis_url()


def queue_url(kind: str, tmp_path: Path) -> str:
    """A queue of ``kind`` for one test (the name isolates tests that share a Redis or PostgreSQL)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.db'}"
    if kind == "redis":
        return REDIS_URL
    from tests.conftest import POSTGRES_URL

    return POSTGRES_URL


@pytest.fixture
def queue_name() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def flushed_redis() -> Iterator[None]:
    yield
    redis.Redis.from_url(REDIS_URL).flushdb()


def product_for(
    db: TestDatabase, emulator: RunningEmulator, tmp_path: Path, queue: str, **extra: object
) -> Product:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db.url,
        mailchimp_api_base=emulator.api_base,
        mailchimp_oauth_base=emulator.base_url,
        base_url="http://127.0.0.1:9",
        queue_url=queue,
        **extra,  # type: ignore[arg-type]
    )
    return Product(settings, db, emulator)


@pytest.fixture
def product(db: TestDatabase, emulator: RunningEmulator, tmp_path: Path) -> Product:
    return product_for(db, emulator, tmp_path, queue_url("sqlite", tmp_path))


def database_of(product: Product) -> Database:
    return Database(product.db.engine, product.db.sessions)


@dataclass
class Worker:
    process: subprocess.Popen[str]
    log: Path

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def output(self) -> str:
        return self.log.read_text()


def worker_env(product: Product, queue: str, lease_seconds: float) -> dict[str, str]:
    env = product.env()
    env["CONSTITUENT_QUEUE_URL"] = queue
    env["CONSTITUENT_SYNC_LEASE_SECONDS"] = str(lease_seconds)
    return env


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """``start_worker(product, queue, *args)`` → a `constituent worker` process, stopped after the test."""
    started: list[Worker] = []

    def start(product: Product, queue: str, *args: str, lease_seconds: float = 60.0) -> Worker:
        log = tmp_path / f"worker-{len(started) + 1}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [CLI, "worker", *args],
                env=worker_env(product, queue, lease_seconds),
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        worker = Worker(process, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait(timeout=10)


def wait_for(condition: Callable[[], object], timeout: float = 60.0, interval: float = 0.1) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not reached within {timeout}s")
