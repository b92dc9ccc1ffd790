"""The run's one ledger writer: claims and commits wait their turn, and those that queued while a
transaction was being written go together in the next one (group commit).

A first sync keeps ten requests in flight and stores a claim before each and a commit after each: one
transaction per job made the writer thread the run's critical path, most of its time spent on what every
transaction repeats (the lease's fence, the run row, SQLite's COMMIT rewriting the same index pages). The
jobs of a batch run in the order they were queued, in one transaction, so each sees what the ones before
it wrote, exactly as if they had been written one after the other; a failure fails every job of its
batch (none of them is stored), as a crash would.

A batch holds at most ``most`` jobs. A slice's pages all claim at once, and a request waits for its
claim's transaction: one transaction of a slice's 40 claims held every request back until the last was
stored (0.4 s with no request in flight, on PostgreSQL). As many as there are connections go first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


class GroupWriter(Generic[Job, Result]):
    """Runs ``write`` (blocking: a database transaction) in a thread, one batch at a time."""

    def __init__(self, write: Callable[[Sequence[Job]], list[Result]], most: int) -> None:
        if most < 1:
            raise ValueError("a batch holds at least one job")  # else nothing queued would ever be written
        self._write = write
        self._most = most
        self._queued: list[tuple[Job, asyncio.Future[Result]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def submit(self, job: Job) -> Result:
        """Queue the job and wait until its batch is committed; its result (or its batch's failure)."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queued.append((job, future))
        if self._draining is None:
            self._draining = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._queued:
                # A job whose caller was cancelled while it waited is dropped, as if never asked.
                live = [(job, future) for job, future in self._queued if not future.done()]
                batch, self._queued = live[: self._most], live[self._most :]
                if batch:
                    await self._write_batch(batch)
        finally:
            self._draining = None

    async def _write_batch(self, batch: list[tuple[Job, asyncio.Future[Result]]]) -> None:
        try:
            results = await asyncio.to_thread(self._write, [job for job, _ in batch])
        except asyncio.CancelledError:
            # The loop is going away (the run was stopped): nobody is left to answer.
            for _, future in batch:
                future.cancel()
            raise
        except BaseException as failed:  # handed to every caller of the batch (a kill too)
            for _, future in batch:
                if not future.done():
                    future.set_exception(failed)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
