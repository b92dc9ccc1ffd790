"""The sync lease: at most one run per integration at a time, across threads, processes and machines.

The lease is two columns on the integration row, taken with one conditional UPDATE (free, expired, or
already ours), which is atomic on SQLite and PostgreSQL alike. A holder renews it while it works (the
heartbeat); a holder that dies simply lets it expire, and the next run takes over.

``hold`` is a boundary of its own: every take, renewal and release commits at once, so other processes
see it.

Fencing: every take-over adds one to ``lease_generation``. A holder renews only its own generation (an
expired lease nobody took is still its own; one taken over, even if free again, is not), checks the
lease before each request (``guard``), and starts each write transaction with ``fence``, which is
refused once the generation moved on, so a run paused past its lease writes nothing after waking.
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
from typing import Any

from sqlalchemy import case, or_, select, update
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


class LeaseLost(RuntimeError):
    """Another run took this integration over (our lease expired): stop before writing more."""

    def __init__(self) -> None:
        super().__init__("another sync took over this integration; this run stopped writing")


def _claim(session: Session, integration_id: int, owner: str, now: datetime, ttl: timedelta) -> int | None:
    """Take or renew the lease if it is free, expired or already ours; its generation when we hold it."""
    row = MailchimpIntegration
    result = session.execute(
        update(row)
        .where(
            row.id == integration_id,
            or_(row.lease_owner.is_(None), row.lease_owner == owner, row.lease_expires_at < now),
        )
        # updated_at is set to itself: a lease is not a change to the integration's settings.
        .values(
            lease_owner=owner,
            lease_expires_at=now + ttl,
            lease_generation=case(
                (row.lease_owner == owner, row.lease_generation), else_=row.lease_generation + 1
            ),
            updated_at=row.updated_at,
        )
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        return None
    return session.scalar(select(row.lease_generation).where(row.id == integration_id))


def _holding(lease: Lease) -> Any:
    row = MailchimpIntegration
    return (
        row.id == lease.integration_id,
        row.lease_owner == lease.owner,
        row.lease_generation == lease.generation,
    )


def _renew(session: Session, lease: Lease, now: datetime) -> bool:
    row = MailchimpIntegration
    result = session.execute(
        update(row)
        .where(*_holding(lease))
        .values(lease_expires_at=now + lease.ttl, updated_at=row.updated_at)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def fence(session: Session, lease: Lease) -> None:
    """First statement of a run's write transaction: refused (LeaseLost) once another run took over.

    An UPDATE, not a SELECT: it holds the integration row until the transaction ends, so a take-over
    waits for the write in progress and the write never lands after a take-over.
    """
    row = MailchimpIntegration
    result = session.execute(update(row).where(*_holding(lease)).values(updated_at=row.updated_at))
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        lease.lost.set()
        raise LeaseLost()


def _release(session: Session, integration_id: int, owner: str) -> None:
    row = MailchimpIntegration
    session.execute(
        update(row)
        .where(row.id == integration_id, row.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None, updated_at=row.updated_at)
    )


@dataclass
class Lease:
    """A held lease; ``lost`` is set when a renewal or a fence found another run holding it."""

    integration_id: int
    owner: str
    ttl: timedelta
    generation: int = 0
    lost: threading.Event = field(default_factory=threading.Event)
    # time.monotonic() until which the lease is surely ours without asking the database.
    valid_until: float = 0.0

    def renew(self, sessions: sessionmaker[Session]) -> bool:
        started = time.monotonic()
        with session_scope(sessions) as session:
            held = not self.lost.is_set() and _renew(session, self, utcnow())
        if held:
            self.valid_until = started + self.ttl.total_seconds()
        else:
            self.lost.set()
        return held

    def surely_held(self) -> bool:
        """True while the lease is ours without asking the database (not lost, within its lifetime)."""
        return not self.lost.is_set() and time.monotonic() < self.valid_until

    def guard(self, sessions: sessionmaker[Session]) -> None:
        """Before a request: raise LeaseLost if the lease is gone. A lease past its lifetime (the process
        was paused, or the renewals fell behind) is renewed first, so a run that wakes up after another
        took over never sends anything."""
        if not self.lost.is_set() and time.monotonic() >= self.valid_until:
            self.renew(sessions)
        if self.lost.is_set():
            raise LeaseLost()


def try_take(
    sessions: sessionmaker[Session], integration_id: int, *, owner: str, ttl: timedelta = DEFAULT_TTL
) -> bool:
    """Take the lease if it is free, expired or already ``owner``'s (in its own transaction)."""
    return _take(sessions, integration_id, owner, ttl) is not None


def _take(sessions: sessionmaker[Session], integration_id: int, owner: str, ttl: timedelta) -> int | None:
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
        started = time.monotonic()
        generation = _take(sessions, integration_id, lease.owner, ttl)
        if generation is not None:
            lease.generation = generation
            lease.valid_until = started + ttl.total_seconds()
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
