"""The emulator process keeps its full garbage collections short (``mailchimp_emulator.heap``): what
survived one is frozen, so the next walks only newer objects. Run in a child process: freezing is
process-wide and must not touch the test run's own heap."""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import gc
from mailchimp_emulator.heap import keep_full_collections_short
store = [{"member": {"id": i, "tags": [i]}} for i in range(200_000)]  # an audience's worth of containers
gc.collect()
walked_before = len(gc.get_objects(generation=2))  # what a full collection walks
keep_full_collections_short()
gc.collect()  # this one freezes what survives
more = [{"member": {"id": i}} for i in range(1_000)]
gc.collect()
print(gc.get_freeze_count(), walked_before, len(gc.get_objects(generation=2)))
"""


def test_what_survived_a_full_collection_is_frozen_so_the_next_one_walks_only_new_objects() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    frozen, walked_before, walked_after = (int(n) for n in done.stdout.split())
    assert walked_before > 600_000  # the store: three containers a member
    assert frozen > 600_000
    assert walked_after < 10_000  # only what came after the freeze (2,000 new containers, and no store)
