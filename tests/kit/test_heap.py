"""``kit.heap.fewer_collections``: a sync runs with young garbage collections every 50,000 new objects
instead of 700 (about a fifth of a first sync's CPU was the collector), and the process gets its own
thresholds back when the last run inside ends, however it ends."""

from __future__ import annotations

import gc
import threading

import pytest

from constituent.kit.heap import YOUNG_THRESHOLD, fewer_collections


def test_thresholds_are_raised_inside_and_put_back_after_even_when_the_run_fails() -> None:
    before = gc.get_threshold()

    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
        raise RuntimeError("the run failed")

    assert gc.get_threshold() == before


def test_overlapping_runs_share_the_raise_and_the_last_to_finish_puts_the_thresholds_back() -> None:
    before = gc.get_threshold()
    first_inside, first_may_leave = threading.Event(), threading.Event()

    def first_run() -> None:
        with fewer_collections():
            first_inside.set()
            first_may_leave.wait(10)

    thread = threading.Thread(target=first_run)
    thread.start()
    first_inside.wait(10)
    with fewer_collections():
        pass
    still_raised = gc.get_threshold()[0]  # the second run ended; the first is still inside
    first_may_leave.set()
    thread.join(10)

    assert still_raised == YOUNG_THRESHOLD
    assert gc.get_threshold() == before
