"""The Huey queue chosen by ``CONSTITUENT_QUEUE_URL``.

- ``sqlite:///path`` (the default: ``queue.db`` in the data dir, a file of its own so the queue's
  constant small writes never contend with the app database's writers);
- ``redis://…`` / ``rediss://…``: PriorityRedisHuey, so Force Sync can overtake the nightly backlog;
- ``postgresql://…``: Huey's PostgreSQL storage on psycopg 3 (``DELETE … WHERE id = (SELECT … FOR UPDATE
  SKIP LOCKED)`` to dequeue, LISTEN/NOTIFY to wake idle workers), tables ``huey_*``;
- ``memory://``: no queue at all — each task runs in the caller's thread when it is enqueued (Huey's
  immediate mode), for one-off scripts and tests about what a task does rather than how it is queued.

All three honour priorities (higher first).
"""

from __future__ import annotations

from pathlib import Path

from huey import Huey, MemoryHuey, PostgresHuey, PriorityRedisHuey, SqliteHuey

from constituent.crm.errors import InvalidInput
from constituent.integrations.mailchimp.sync.models import RunMode, RunTrigger

QUEUE_NAME = "constituent"

# Higher runs first. Force Sync is someone waiting at the screen; the nightly backlog can wait for it.
PRIORITY_FORCE_SYNC = 100
PRIORITY_WEBHOOKS = 80
PRIORITY_RESYNC = 50
PRIORITY_BACKGROUND = 0


def priority_for(trigger: RunTrigger, mode: RunMode) -> int:
    if trigger is RunTrigger.schedule:
        return PRIORITY_BACKGROUND
    return PRIORITY_FORCE_SYNC if mode is RunMode.incremental else PRIORITY_RESYNC


_POSTGRES_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def open_queue(url: str, name: str = QUEUE_NAME) -> Huey:
    """A Huey instance (no tasks registered yet) for ``url``; a bad URL names the setting."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # Results are not kept: the run row is the truth about a run, the queue only carries requests.
        return SqliteHuey(name, filename=str(path), results=False, timeout=30)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return PriorityRedisHuey(name, url=url, results=False)
    if url.startswith(_POSTGRES_PREFIXES):
        dsn = "postgresql://" + url.split("://", 1)[1]
        return PostgresHuey(name, dsn=dsn, results=False)
    if url == "memory://":
        return MemoryHuey(name, immediate=True, results=False)
    raise InvalidInput(
        "CONSTITUENT_QUEUE_URL",
        "use sqlite:///path, redis://host:port/db, postgresql://user@host/db or memory://",
    )


def describe(url: str) -> str:
    """The backend's kind and place without credentials, for logs and ``/readyz``."""
    scheme = url.split("://", 1)[0].split("+", 1)[0]
    return {"postgres": "postgresql", "rediss": "redis", "unix": "redis"}.get(scheme, scheme)
