"""With a real queue, Force Sync and Resync queue a run and the page shows it; pressing again while it
waits points at that run; the worker's task then runs it (here: taken from the queue in this process)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from constituent.jobs.registry import jobs_for
from constituent.kit.settings import Settings
from tests.support.emulator import McAccount, RunningEmulator
from tests.web.pages.conftest import Browser
from tests.web.pages.test_mailchimp_page import _members, page_url

__all__ = ["page_url"]  # the connected integration's page, from the page tests


@pytest.fixture
def settings(tmp_path: Path, emulator: RunningEmulator) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        secret_keys=Fernet.generate_key().decode(),
        base_url="http://testserver",
        mailchimp_api_base=emulator.api_base,
        mailchimp_oauth_base=emulator.base_url,
        queue_url=f"sqlite:///{tmp_path / 'queue.db'}",
    )


def run_next_job(settings: Settings) -> None:
    """What a worker thread does with the next message."""
    huey = jobs_for(settings).huey
    task = huey.dequeue()
    assert task is not None
    huey.execute(task)


@pytest.mark.slow
def test_force_sync_queues_the_run_and_the_page_shows_it_until_a_worker_has_run_it(
    admin: Browser, page_url: str, account: McAccount, settings: Settings
) -> None:
    pressed = admin.submit(f"{page_url}/sync", {"mode": "incremental"})
    queued_page = admin.get(page_url).text
    admin.submit(f"{page_url}/sync", {"mode": "full"})
    again_page = admin.get(page_url).text

    assert pressed.status_code == 303
    assert "The first sync queued" in queued_page and "queued" in admin.get(f"{page_url}/status").text
    assert "A sync of this integration is already queued; Resync shows that one." in again_page
    assert _members(account) == set()

    run_next_job(settings)

    assert jobs_for(settings).huey.pending_count() == 0
    assert "succeeded" in admin.get(f"{page_url}/status").text
    assert _members(account) == {"ann@mailbox.org", "bo@mailbox.org"}
