"""At most N requests in flight per Mailchimp account, shared by every task and thread in the process.

Mailchimp allows 10 simultaneous connections per account and answers 429 beyond that. An
``asyncio.Semaphore`` belongs to one event loop, but our runs may each own a loop in a worker thread,
so this limiter keeps its count under a thread lock and wakes waiters on whichever loop they wait on.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

MAILCHIMP_MAX_CONNECTIONS = 10


class CrossLoopLimiter:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._in_flight = 0
        self._lock = threading.Lock()
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._in_flight < self.limit and not self._waiters:
                self._in_flight += 1
                return
            future: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, future))
        try:
            await future
        except asyncio.CancelledError:
            with self._lock:
                if (loop, future) in self._waiters:
                    self._waiters.remove((loop, future))
                    raise
            # The slot was handed to us just as we were cancelled: pass it on.
            self.release()
            raise

    def release(self) -> None:
        with self._lock:
            while self._waiters:
                loop, future = self._waiters.popleft()
                if loop.is_closed():
                    continue
                # The slot moves straight to the waiter, so the count stays the same.
                loop.call_soon_threadsafe(_grant, future)
                return
            self._in_flight -= 1

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()


def _grant(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
    # A future cancelled before the grant arrived: acquire() gives the slot back itself.


_registry: dict[str, CrossLoopLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(account_key: str, limit: int = MAILCHIMP_MAX_CONNECTIONS) -> CrossLoopLimiter:
    """The process-wide limiter of one account (keyed by API base + a hash of the credential)."""
    with _registry_lock:
        limiter = _registry.get(account_key)
        if limiter is None:
            limiter = _registry[account_key] = CrossLoopLimiter(limit)
        return limiter
