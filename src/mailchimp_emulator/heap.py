"""Short full garbage collections for the emulator process, which holds every audience in memory.

CPython's full (generation 2) collection walks every container object the process holds. At 686,221
members the emulator holds millions, and while a sync writes to it a full collection ran every few
seconds, each longer than the last (33 of them, 0.06 s to 1.2 s, 16.8 s in all during a 1,000,000-contact
first sync): each one stalled every request in flight, so a benchmark of the sync measured the emulator's
collector. What survived a full collection is the emulator's store, so it is moved out of the collector's
sight (``gc.freeze``): the next full collection looks only at what came after. Reference counting still
frees everything that is not a cycle; a cycle among frozen objects stays, which a test double can afford.
"""

from __future__ import annotations

import gc
from typing import Any


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info.get("generation") == 2:
        gc.freeze()


def keep_full_collections_short() -> None:
    """For the emulator's own process only (``constituent emulator``), never in a process that shares it."""
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)
