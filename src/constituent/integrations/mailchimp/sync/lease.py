"""The sync lease: at most one run per integration at a time, across threads, processes and machines.

The lease is two columns on the integration row, taken with one conditional UPDATE (free, expired, or
already ours), which is atomic on SQLite and PostgreSQL alike. A holder renews it while it works (the
heartbeat); a holder that dies simply lets it expire, and the next run takes over.

``hold`` is a boundary of its own: every take, renewal and release commits at once, so other processes
see it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session, sessionmaker

from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings

DEFAULT_TTL = timedelta(seconds=60)
POLL_SECONDS = 0.5


def ttl_of(settings: Settings) -> timedelta:
    """How long a sync's lease lasts (CONSTITUENT_SYNC_LEASE_SECONDS), whoever starts the run: the CLI,
    a worker, or the reaper judging whether a run is dead."""
    return timedelta(seconds=settings.sync_lease_seconds)


def new_owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _claim(session: Session, integration_id: int, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease if it is free, expired or already ours; True when we hold it now."""
    row = MailchimpIntegration
    result = session.execute(
        update(row)
        .where(
            row.id == integration_id,
            or_(row.lease_owner.is_(None), row.lease_owner == owner, row.lease_expires_at < now),
        )
        # updated_at is set to itself: a lease is not a change to the integration's settings.
        .values(lease_owner=owner, lease_expires_at=now + ttl, updated_at=row.updated_at)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def _release(session: Session, integration_id: int, owner: str) -> None:
    row = MailchimpIntegration
    session.execute(
        update(row)
        .where(row.id == integration_id, row.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None, updated_at=row.updated_at)
    )


@dataclass
class Lease:
    """A held lease; ``lost`` is set when a renewal found someone else holding it (stop writing)."""

    integration_id: int
    owner: str
    ttl: timedelta
    lost: threading.Event = field(default_factory=threading.Event)

    def renew(self, sessions: sessionmaker[Session]) -> bool:
        held = try_take(sessions, self.integration_id, owner=self.owner, ttl=self.ttl)
        if not held:
            self.lost.set()
        return held


def try_take(
    sessions: sessionmaker[Session], integration_id: int, *, owner: str, ttl: timedelta = DEFAULT_TTL
) -> bool:
    """Take the lease if it is free, expired or already ``owner``'s (in its own transaction)."""
    with session_scope(sessions) as session:
        return _claim(session, integration_id, owner, utcnow(), ttl)


def acquire(
    sessions: sessionmaker[Session],
    integration_id: int,
    *,
    owner: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    poll_seconds: float = POLL_SECONDS,
    waiting: Callable[[], None] | None = None,
) -> Lease:
    """Wait until the lease is ours. ``waiting`` is called once if another run holds it."""
    lease = Lease(integration_id, owner or new_owner(), ttl)
    told = False
    while True:
        if try_take(sessions, integration_id, owner=lease.owner, ttl=ttl):
            return lease
        if waiting is not None and not told:
            waiting()
            told = True
        time.sleep(poll_seconds)


def release(sessions: sessionmaker[Session], lease: Lease) -> None:
    with session_scope(sessions) as session:
        _release(session, lease.integration_id, lease.owner)


@contextmanager
def hold(
    sessions: sessionmaker[Session],
    integration_id: int,
    *,
    ttl: timedelta = DEFAULT_TTL,
    waiting: Callable[[], None] | None = None,
) -> Iterator[Lease]:
    lease = acquire(sessions, integration_id, ttl=ttl, waiting=waiting)
    try:
        yield lease
    finally:
        release(sessions, lease)


@contextmanager
def kept_alive(
    sessions: sessionmaker[Session], lease: Lease, beat: Callable[[Session], None] | None = None
) -> Iterator[Lease]:
    """Renew the lease from a background thread every third of its lifetime while the block runs.

    A thread, not the sync's own loop, so long database phases (building the desired state of a
    million contacts) cannot starve it. ``beat`` runs in the same transaction (e.g. the run's heartbeat).
    """
    stop = threading.Event()
    interval = max(lease.ttl.total_seconds() / 3, 0.05)

    def renew_until_stopped() -> None:
        while not stop.wait(interval):
            if not lease.renew(sessions):
                return
            if beat is not None:
                with session_scope(sessions) as session:
                    beat(session)

    thread = threading.Thread(target=renew_until_stopped, name=f"lease-{lease.integration_id}", daemon=True)
    thread.start()
    try:
        yield lease
    finally:
        stop.set()
        thread.join()
