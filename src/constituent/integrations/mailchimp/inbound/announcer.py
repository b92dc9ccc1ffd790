"""Asking the queue to process an integration's inbox, off the request path and coalesced."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from constituent.kit.settings import Settings

ANNOUNCE_INTERVAL_SECONDS = 0.2
ProcessingHook = Callable[[Settings, int], None]


class Announcer:
    """Tells the queue that an integration has new inbox rows, off the request path and coalesced.

    One thread makes the calls; ids arriving while a call is under way are gathered for the next one,
    so a burst of deliveries costs a handful of enqueues, and every row is committed before the
    enqueue that covers it (a worker started by it finds the row).
    """

    def __init__(self, settings: Settings, hook: ProcessingHook | None) -> None:
        self._settings = settings
        self._hook = hook
        self._ids: set[int] = set()
        self._scheduled = False
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="webhook-announce")

    def add(self, integration_ids: set[int]) -> None:
        if self._hook is None or not integration_ids:
            return
        with self._lock:
            self._ids |= integration_ids
            if self._scheduled:
                return
            self._scheduled = True
        self._executor.submit(self._run)

    def _run(self) -> None:
        while True:
            with self._lock:
                ids, self._ids = self._ids, set()
                if not ids:
                    self._scheduled = False
                    return
            for integration_id in sorted(ids):
                if self._hook is not None:
                    self._hook(self._settings, integration_id)
            # At most a few enqueues a second under load; rows stored meanwhile go with the next one.
            time.sleep(ANNOUNCE_INTERVAL_SECONDS)
