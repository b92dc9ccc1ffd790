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

from constituent.integrations.mailchimp.sync.models import SyncRun
from constituent.jobs import queue, tasks
from constituent.kit.logging import get_logger
from constituent.kit.runtime import Database, database_for
from constituent.kit.settings import Settings

log = get_logger(__name__)

# When the periodic tasks run (only in the one process started without --no-periodic).
EVERY_MINUTE = crontab()
HOURLY = crontab(minute="17")  # off the full hour, when everyone else's cron fires
QUARTER_HOURLY = crontab(minute="*/15")


@dataclass
class Jobs:
    huey: Huey
    settings: Settings
    database: Database | None = None  # built from settings on first use unless the process gives one
    tasks: dict[str, TaskWrapper] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def run_sync(self) -> TaskWrapper:
        return self.tasks["run_sync"]

    @property
    def process_webhooks(self) -> TaskWrapper:
        return self.tasks["process_webhooks"]

    @property
    def periodic(self) -> dict[str, TaskWrapper]:
        return {name: task for name, task in self.tasks.items() if name in PERIODIC}

    def hand_over(self, run: SyncRun) -> bool:
        """Give a queued run to the queue; False (logged) when the queue cannot be reached.

        The row stays queued either way, and the reaper hands stale queued rows over again.
        """
        try:
            self.run_sync(run.id, priority=queue.priority_for(run.trigger, run.mode))
        except Exception as exc:
            log.error("queue unreachable; the run stays queued", run_id=run.id, error=type(exc).__name__)
            return False
        return True

    def import_campaigns(self, integration_id: int) -> bool:
        try:
            self.tasks["import_campaigns"](integration_id, priority=queue.PRIORITY_WEBHOOKS)
        except Exception as exc:
            log.warning(
                "queue unreachable; the campaign waits for the quarter-hourly pass",
                integration_id=integration_id,
                error=type(exc).__name__,
            )
            return False
        return True

    def backlog(self) -> int:
        """Messages waiting in the queue (the workers are still draining them)."""
        return int(self.huey.pending_count())

    def db(self) -> Database:
        with self._lock:
            if self.database is None:
                self.database = database_for(self.settings)
            return self.database


PERIODIC = {"nightly_tick", "reap", "sweep_webhooks", "reconcile", "track_campaigns"}


def build_jobs(settings: Settings, database: Database | None = None, *, name: str = queue.QUEUE_NAME) -> Jobs:
    jobs = Jobs(queue.open_queue(settings.resolved_queue_url, name), settings, database)
    huey = jobs.huey

    def bind(body: Callable[..., Any]) -> Callable[..., Any]:
        def task(*args: Any) -> Any:
            return body(jobs.db(), settings, *args)

        return task

    def webhooks(database: Database, settings: Settings, integration_id: int | None) -> int:
        return tasks.process_webhooks(database, settings, integration_id, jobs)

    def sweep(database: Database, settings: Settings) -> int:
        return tasks.process_webhooks(database, settings, None, jobs)

    def nightly_tick(database: Database, settings: Settings) -> None:
        tasks.nightly_tick(database, settings, jobs)

    def reap(database: Database, settings: Settings) -> None:
        tasks.reap(database, settings, jobs)

    jobs.tasks = {
        "run_sync": huey.task(name="run_sync")(bind(tasks.run_sync)),
        "process_webhooks": huey.task(name="process_webhooks")(bind(webhooks)),
        "import_campaigns": huey.task(name="import_campaigns")(bind(tasks.import_campaigns)),
        "nightly_tick": huey.periodic_task(EVERY_MINUTE, name="nightly_tick")(bind(nightly_tick)),
        "reap": huey.periodic_task(EVERY_MINUTE, name="reap")(bind(reap)),
        "sweep_webhooks": huey.periodic_task(EVERY_MINUTE, name="sweep_webhooks")(bind(sweep)),
        "reconcile": huey.periodic_task(HOURLY, name="reconcile")(bind(tasks.reconcile)),
        "track_campaigns": huey.periodic_task(QUARTER_HOURLY, name="track_campaigns")(
            bind(tasks.track_campaigns)
        ),
    }
    return jobs


_cache: dict[str, Jobs] = {}
_databases: dict[str, Database] = {}
_cache_lock = threading.Lock()


def _key(settings: Settings) -> str:
    return settings.model_dump_json()


def jobs_for(settings: Settings) -> Jobs:
    """This process's Jobs for ``settings`` (one per distinct configuration)."""
    key = _key(settings)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = build_jobs(settings, _databases.get(key))
        return _cache[key]


def queue_problem(settings: Settings) -> str | None:
    """None when the job queue answers; else the error's kind (never its message, which may carry a
    host name or a credential)."""
    try:
        jobs_for(settings).huey.storage.queue_size()
    except Exception as exc:
        return type(exc).__name__
    return None


def use_database(settings: Settings, database: Database) -> None:
    """Tasks run in this process for ``settings`` use ``database`` (the web app's, the worker's)."""
    key = _key(settings)
    with _cache_lock:
        _databases[key] = database
        if key in _cache:
            _cache[key].database = database


def use_jobs(jobs: Jobs) -> None:
    """Make ``jobs`` what ``jobs_for(jobs.settings)`` returns (serve --with-worker shares its database)."""
    with _cache_lock:
        _cache[_key(jobs.settings)] = jobs
