"""A sync in a process of its own, so a test can SIGKILL or SIGSTOP it at a moment the proxy chose.

``python -m tests.support.sync_process INTEGRATION_ID LEASE_SECONDS`` with the product's environment
(database, data directory): runs one incremental sync with that lease lifetime.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start(env: dict[str, str], integration_id: int, lease_seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.sync_process", str(integration_id), str(lease_seconds)],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    from constituent.integrations.mailchimp.sync.engine import run_sync
    from constituent.kit.runtime import database_for
    from constituent.kit.settings import Settings

    settings = Settings()
    integration_id, lease_seconds = int(sys.argv[1]), float(sys.argv[2])
    database = database_for(settings)
    run_sync(database, settings, integration_id, lease_ttl=timedelta(seconds=lease_seconds))
    os._exit(0)


if __name__ == "__main__":
    main()
