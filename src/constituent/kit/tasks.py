"""Running work concurrently in asyncio tasks, where the first failure is what the caller sees."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, Coroutine
from types import TracebackType
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first exception a task group collected (a task group raises them all, wrapped)."""
    first = group.exceptions[0]
    return first_leaf(first) if isinstance(first, BaseExceptionGroup) else first


class AtMost:
    """Tasks started in order, at most ``limit`` of them running at once: ``start`` waits for the
    oldest to end when the limit is reached. As ``asyncio.TaskGroup``: leaving the block waits for every
    task, and the first failure cancels the others and the block; it is raised as itself."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._group = asyncio.TaskGroup()
        self._running: deque[asyncio.Task[None]] = deque()

    async def __aenter__(self) -> AtMost:
        await self._group.__aenter__()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            await self._group.__aexit__(kind, error, trace)
        except BaseExceptionGroup as failed:
            raise first_leaf(failed) from failed

    async def start(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in a task once fewer than ``limit`` run (``room``)."""
        try:
            await self.room()
        except BaseException:
            work.close()  # never started: not a coroutine left un-awaited
            raise
        self._running.append(self._group.create_task(work))

    async def room(self, limit: int | None = None) -> None:
        """Wait until fewer than ``limit`` (by default the group's) tasks run, for the oldest first. A
        failed task is not raised here: the group cancels this block for it, and leaving the block
        raises it."""
        while len(self._running) >= (self.limit if limit is None else limit):
            await asyncio.wait([self._running.popleft()])

    async def settle(self) -> None:
        """Wait until every task started has ended."""
        while self._running:
            await asyncio.wait([self._running.popleft()])


async def finished(future: asyncio.Future[Any]) -> None:
    """Wait for ``future`` to end, its failure retrieved: the caller already ended for its own reason."""
    await asyncio.wait([future])
    if not future.cancelled():
        future.exception()


async def settled(future: asyncio.Future[Any]) -> None:
    """``future`` cancelled if still running, then ``finished``."""
    future.cancel()
    await finished(future)


class Prefetched(Generic[T]):
    """An async generator whose first item is asked for at once, in a task, so its first request goes
    while the caller does something else; ``items`` then gives every item. ``close`` ends it, read or
    not, as often as it is called."""

    def __init__(self, items: AsyncGenerator[T, None]) -> None:
        self._items = items
        self._first = asyncio.ensure_future(anext(items))

    async def items(self) -> AsyncGenerator[T, None]:
        try:
            first = await self._first
        except StopAsyncIteration:
            return
        yield first
        async for item in self._items:
            yield item

    async def close(self) -> None:
        await settled(self._first)
        await self._items.aclose()
