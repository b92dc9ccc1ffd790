"""``kit.tasks.AtMost``: how a run applies its slices, two at a time. Each task waits on an event the
test sets (no sleeping), so which tasks run at once is known exactly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from constituent.kit.tasks import AtMost, Prefetched


class Refused(Exception):
    pass


async def _held(name: str, started: list[str], go: asyncio.Event, fail: bool = False) -> None:
    started.append(name)
    await go.wait()
    if fail:
        raise Refused(name)


def test_a_third_task_starts_only_once_the_oldest_has_ended() -> None:
    async def scenario() -> list[list[str]]:
        started: list[str] = []
        gates = {name: asyncio.Event() for name in "abc"}
        seen: list[list[str]] = []
        async with AtMost(2) as tasks:
            await tasks.start(_held("a", started, gates["a"]))
            await tasks.start(_held("b", started, gates["b"]))
            third = asyncio.ensure_future(tasks.start(_held("c", started, gates["c"])))
            await asyncio.sleep(0)  # let the tasks run up to their gates
            seen.append(list(started))
            gates["b"].set()  # the newer one ending lets nothing in: the oldest is waited for
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            seen.append(list(started))
            gates["a"].set()
            await third
            await asyncio.sleep(0)
            seen.append(list(started))
            gates["c"].set()
        return seen

    assert asyncio.run(scenario()) == [["a", "b"], ["a", "b"], ["a", "b", "c"]]


def test_room_for_fewer_tasks_waits_for_the_oldest_first() -> None:
    """How a run plans its next slice only once the slice before the one just started has ended."""

    async def scenario() -> list[str]:
        started: list[str] = []
        gates = {name: asyncio.Event() for name in "ab"}
        waited: list[str] = []
        async with AtMost(2) as tasks:
            await tasks.start(_held("a", started, gates["a"]))
            await tasks.start(_held("b", started, gates["b"]))
            room = asyncio.ensure_future(tasks.room())
            await asyncio.sleep(0)
            waited.append(f"room while both run: {room.done()}")
            gates["a"].set()
            await room
            waited.append("room once the oldest ended")
            gates["b"].set()
        return waited

    assert asyncio.run(scenario()) == ["room while both run: False", "room once the oldest ended"]


def test_the_first_failure_cancels_the_other_task_and_is_raised_as_itself() -> None:
    cancelled: list[str] = []

    async def slow() -> None:
        try:
            await asyncio.Event().wait()  # never set: only a cancellation ends it
        except asyncio.CancelledError:
            cancelled.append("slow")
            raise

    async def scenario() -> None:
        started: list[str] = []
        go = asyncio.Event()
        async with AtMost(2) as tasks:
            await tasks.start(slow())
            await tasks.start(_held("failing", started, go, fail=True))
            go.set()
            await tasks.settle()

    with pytest.raises(Refused, match="failing"):
        asyncio.run(scenario())
    assert cancelled == ["slow"]


def test_leaving_the_block_waits_for_every_task() -> None:
    async def scenario() -> list[str]:
        ended: list[str] = []

        async def work(name: str) -> None:
            await asyncio.sleep(0)
            ended.append(name)

        async with AtMost(2) as tasks:
            for name in "abcde":
                await tasks.start(work(name))
        return ended

    assert sorted(asyncio.run(scenario())) == list("abcde")


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AtMost(0)


def test_a_prefetched_generator_asks_for_its_first_item_at_once_and_closes_read_or_not() -> None:
    async def scenario() -> tuple[list[str], list[int], list[int]]:
        asked: list[str] = []

        async def numbers(count: int) -> AsyncGenerator[int, None]:
            asked.append(f"started {count}")
            for n in range(count):
                yield n

        three, empty, unread = Prefetched(numbers(3)), Prefetched(numbers(0)), Prefetched(numbers(2))
        await asyncio.sleep(0)  # the first items are asked for before anyone reads
        before = list(asked)
        got = [n async for n in three.items()]
        none = [n async for n in empty.items()]
        for prefetched in (three, empty, unread, unread):  # closing twice is harmless
            await prefetched.close()
        return before, got, none

    before, got, none = asyncio.run(scenario())
    assert before == ["started 3", "started 0", "started 2"]
    assert (got, none) == ([0, 1, 2], [])
