"""Login attempts are limited: after 5 failures in 5 minutes for one email from one address, that
email waits there; after 50 failures in 5 minutes from one address, whatever email it tries waits.

Counting by source as well as by account stops one address from trying many accounts (or flooding the
table with made-up emails), and a counter that is holding someone back is never evicted to make room:
only expired counters and those below their limit are forgotten when the table is full.

Kept in memory, per process, on purpose: a restart forgets it, and with several web processes an
attacker gets the limits once per process; argon2's cost per try still makes guessing slow. A shared
limit (database or Redis) belongs with the multi-machine layout.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_FAILURES = 5
SOURCE_MAX_FAILURES = 50
WINDOW = timedelta(minutes=5)
# Bounds memory under a flood of distinct keys (per table); see _Counters.make_room.
MAX_KEYS = 10_000


@dataclass
class _Counters:
    """Failure times by key, with a limit; never forgets a key at or over its limit within the window."""

    limit: int
    window: timedelta
    times: dict[object, deque[datetime]] = field(default_factory=dict)

    def recent(self, key: object, now: datetime) -> deque[datetime]:
        found = self.times.get(key)
        if found is None:
            return deque()
        while found and found[0] <= now - self.window:
            found.popleft()
        return found

    def add(self, key: object, now: datetime) -> None:
        self.recent(key, now)
        self.times.setdefault(key, deque()).append(now)
        if len(self.times) > MAX_KEYS:
            self.make_room(now)

    def wait(self, key: object, now: datetime) -> timedelta | None:
        recent = self.recent(key, now)
        return recent[-self.limit] + self.window - now if len(recent) >= self.limit else None

    def make_room(self, now: datetime) -> None:
        """Forget expired counters, then the oldest ones below their limit, down to 90% of MAX_KEYS.

        Locked counters stay even if that leaves the table fuller: an attacker cannot unlock an account by
        flooding, and the per-source limit caps how many locked counters one address can make.
        """
        target = MAX_KEYS * 9 // 10
        for key in list(self.times):
            if not self.recent(key, now):
                del self.times[key]
        for key in list(self.times):
            if len(self.times) <= target:
                break
            if len(self.times[key]) < self.limit:
                del self.times[key]

    def forget(self, key: object) -> None:
        self.times.pop(key, None)


@dataclass
class LoginLimiter:
    max_failures: int = MAX_FAILURES
    window: timedelta = WINDOW
    source_max_failures: int = SOURCE_MAX_FAILURES
    _accounts: _Counters = field(init=False)
    _sources: _Counters = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._accounts = _Counters(self.max_failures, self.window)
        self._sources = _Counters(self.source_max_failures, self.window)

    def retry_after(self, email: str, address: str, now: datetime) -> timedelta | None:
        """How long this email from this address must wait before trying again (None: it may try now)."""
        with self._lock:
            waits = [self._accounts.wait(_account(email, address), now), self._sources.wait(address, now)]
        found = [wait for wait in waits if wait is not None]
        return max(found) if found else None

    def failed(self, email: str, address: str, now: datetime) -> None:
        with self._lock:
            self._accounts.add(_account(email, address), now)
            self._sources.add(address, now)

    def succeeded(self, email: str, address: str) -> None:
        """The account's failures are forgiven; the source's are not (one valid login must not reset them)."""
        with self._lock:
            self._accounts.forget(_account(email, address))

    def tracked_keys(self) -> int:
        with self._lock:
            return len(self._accounts.times) + len(self._sources.times)


def _account(email: str, address: str) -> tuple[str, str]:
    return (email.strip().lower(), address)
