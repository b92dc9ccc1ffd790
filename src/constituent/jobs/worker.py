"""Running the consumer: alone (``constituent worker``) or beside the web app (``serve --with-worker``).

Threads, not processes: a sync spends its time waiting on Mailchimp (the per-account connection cap
and the database engine are shared by the threads of a process), and killing the process kills every
run in it at once, which is what the reaper expects. CPU-bound work scales out with more worker
processes or machines instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from huey.consumer import Consumer

from constituent.jobs.registry import Jobs, build_jobs, use_jobs
from constituent.kit import logging as kit_logging
from constituent.kit.runtime import Database
from constituent.kit.settings import Settings

log = kit_logging.get_logger(__name__)

# After SIGTERM, running jobs get this long to finish; the ones still running are then left to the
# reaper (their heartbeat stops with the process) and resume from the ledger.
SHUTDOWN_SECONDS = 30.0


def consumer_for(jobs: Jobs, *, workers: int, periodic: bool) -> Consumer:
    return jobs.huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=periodic,
        initial_delay=0.1,
        max_delay=1.0,
        graceful_signal="TERM",
        shutdown_timeout=SHUTDOWN_SECONDS,
    )


def run_worker(settings: Settings, database: Database, *, workers: int, periodic: bool) -> None:
    """Consume until SIGTERM / SIGINT (graceful) — this blocks, and installs the signal handlers."""
    kit_logging.configure(settings)
    logging.getLogger("huey").setLevel(logging.INFO)
    jobs = build_jobs(settings, database)
    use_jobs(jobs)
    consumer_for(jobs, workers=workers, periodic=periodic).run()


class EmbeddedWorker:
    """The consumer started inside another process (the web server): no signal handlers of its own."""

    def __init__(self, settings: Settings, database: Database, *, workers: int, periodic: bool) -> None:
        self.jobs = build_jobs(settings, database)
        use_jobs(self.jobs)
        self.consumer = consumer_for(self.jobs, workers=workers, periodic=periodic)

    def start(self) -> None:
        # Consumer.start() would install signal handlers, which only the main thread may do and which
        # belong to uvicorn here: start the scheduler and worker threads ourselves.
        self.consumer.scheduler.start()
        for _, thread in self.consumer.worker_threads:
            thread.start()

    def stop(self) -> None:
        self.consumer.stop(graceful=True)
        log.info("worker stopped")


def run_beside(app: FastAPI, worker: EmbeddedWorker) -> None:
    """Start ``worker`` when the app starts serving and stop it (gracefully) when the app shuts down.

    Tied to the app's lifespan because uvicorn ends the process with the signal it caught once the app
    has shut down: code after ``uvicorn.run`` would never run.
    """
    serving = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[Any]:
        worker.start()
        try:
            async with serving(served) as state:
                yield state
        finally:
            await asyncio.to_thread(worker.stop)

    app.router.lifespan_context = lifespan
