"""The Huey instance of this process with our tasks registered, built from settings.

Tasks are registered on an instance (not at import time on a module-level one) so the queue follows
``CONSTITUENT_QUEUE_URL`` and tests can run several queues side by side. The task names are fixed
(``name=``), so a message enqueued by one process is understood by every worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from huey import Huey, crontab
from huey.api import TaskWrapper

from constituent.jobs import queue, tasks
from constituent.kit.runtime import Database, database_for
from constituent.kit.settings import Settings

# When the periodic tasks run (only in the one process started without --no-periodic).
EVERY_MINUTE = crontab()
HOURLY = crontab(minute="17")  # off the full hour, when everyone else's cron fires
QUARTER_HOURLY = crontab(minute="*/15")


@dataclass
class Jobs:
    huey: Huey
    settings: Settings
    run_sync: TaskWrapper
    process_webhooks: TaskWrapper
    periodic: dict[str, TaskWrapper] = field(default_factory=dict)


def build_jobs(settings: Settings, database: Database | None = None, *, name: str = queue.QUEUE_NAME) -> Jobs:
    huey = queue.open_queue(settings.resolved_queue_url, name)
    lock = threading.Lock()
    holder: list[Database] = [database] if database is not None else []

    def db() -> Database:
        with lock:
            if not holder:
                holder.append(database_for(settings))
            return holder[0]

    def bind(body: Callable[..., Any]) -> Callable[..., Any]:
        def task(*args: Any) -> Any:
            return body(db(), settings, *args)

        return task

    run_sync = huey.task(name="run_sync")(bind(tasks.run_sync))
    process_webhooks = huey.task(name="process_webhooks")(bind(tasks.process_webhooks))
    periodic = {
        "nightly_tick": huey.periodic_task(EVERY_MINUTE, name="nightly_tick")(bind(tasks.nightly_tick)),
        "reap": huey.periodic_task(EVERY_MINUTE, name="reap")(bind(tasks.reap)),
        "sweep_webhooks": huey.periodic_task(EVERY_MINUTE, name="sweep_webhooks")(
            bind(lambda database, s: tasks.process_webhooks(database, s, None))
        ),
        "reconcile": huey.periodic_task(HOURLY, name="reconcile")(bind(tasks.reconcile)),
        "track_campaigns": huey.periodic_task(QUARTER_HOURLY, name="track_campaigns")(
            bind(tasks.track_campaigns)
        ),
    }
    return Jobs(huey, settings, run_sync, process_webhooks, periodic)


_cache: dict[str, Jobs] = {}
_cache_lock = threading.Lock()


def jobs_for(settings: Settings) -> Jobs:
    """This process's Jobs for ``settings`` (one per distinct configuration)."""
    key = settings.model_dump_json()
    with _cache_lock:
        if key not in _cache:
            _cache[key] = build_jobs(settings)
        return _cache[key]


def use_jobs(jobs: Jobs) -> None:
    """Make ``jobs`` what ``jobs_for(jobs.settings)`` returns (serve --with-worker shares its database)."""
    with _cache_lock:
        _cache[jobs.settings.model_dump_json()] = jobs
