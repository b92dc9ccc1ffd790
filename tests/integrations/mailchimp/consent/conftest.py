"""Fixtures for the consent tests that run a sync in a process of its own."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator

import pytest

from tests.integrations.mailchimp.sync.sync_helpers import Audience
from tests.support import sync_process

StartSync = Callable[[Audience], subprocess.Popen[bytes]]


@pytest.fixture
def start_sync_process() -> Iterator[StartSync]:
    """``start_sync_process(audience)`` → a sync in its own process with a one-second lease, killed after
    the test whatever happened: one left paused (SIGSTOP) by a failed test keeps its transaction open."""
    started: list[subprocess.Popen[bytes]] = []

    def start(audience: Audience) -> subprocess.Popen[bytes]:
        process = sync_process.start(audience.product.env(), audience.integration_id, lease_seconds=1)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()  # a stopped process is killed too
        process.wait(timeout=30)
