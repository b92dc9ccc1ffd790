"""Login attempts are limited: after 5 failures in 5 minutes for one email from one address, wait.

Kept in memory, per process, on purpose: a restart forgets it, and with several web processes an
attacker gets 5 tries per process; argon2's cost per try still makes guessing slow. A shared limit
(database or Redis) belongs with the multi-machine layout.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=5)
# Bounds memory under a flood of distinct emails: the oldest keys are forgotten first.
MAX_KEYS = 10_000


@dataclass
class LoginLimiter:
    max_failures: int = MAX_FAILURES
    window: timedelta = WINDOW
    _failures: dict[tuple[str, str], deque[datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, email: str, address: str, now: datetime) -> timedelta | None:
        """How long this email+address must wait before trying again, or None when it may try now."""
        with self._lock:
            recent = self._recent(self._key(email, address), now)
            if len(recent) < self.max_failures:
                return None
            return recent[0] + self.window - now

    def failed(self, email: str, address: str, now: datetime) -> None:
        with self._lock:
            key = self._key(email, address)
            self._recent(key, now).append(now)
            if len(self._failures) > MAX_KEYS:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, email: str, address: str) -> None:
        with self._lock:
            self._failures.pop(self._key(email, address), None)

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    @staticmethod
    def _key(email: str, address: str) -> tuple[str, str]:
        return (email.strip().lower(), address)
