"""Fewer garbage collections while a sync runs (``fewer_collections``).

A sync allocates an object or more for every member, tag and ledger row it plans, sends and records, and
most of them live until the slice is done. CPython's collector starts a young collection every 700 new
container objects and, as survivors pile up, full ones that walk everything the process holds: in a
100,000-member first sync that was about a fifth of the run's CPU (the same run in 19.7 s instead of
25.3 s with the young threshold at 50,000; planning 100,000 members alone 0.8 s instead of 1.7 s; see
docs/BENCHMARKS.md, session 11). Reference counting still frees everything that is not a cycle, so the
cost is only that cyclic garbage waits a little longer. The thresholds are the process's, so concurrent
runs share one raise and the last to finish puts the old ones back.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000  # new container objects between young collections (CPython's default: 700)

_lock = threading.Lock()
_inside = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Within: young collections every ``YOUNG_THRESHOLD`` objects; after: the thresholds as they were."""
    global _inside, _saved
    with _lock:
        if _inside == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(YOUNG_THRESHOLD, _saved[0]), *_saved[1:])
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                gc.set_threshold(*_saved)
