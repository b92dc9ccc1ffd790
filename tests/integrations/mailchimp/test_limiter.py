"""The per-account connection cap holds across tasks, event loops and threads."""

from __future__ import annotations

import asyncio
import threading

import pytest

from constituent.integrations.mailchimp.limiter import CrossLoopLimiter, limiter_for


class Peak:
    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.lock = threading.Lock()

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


async def _work(limiter: CrossLoopLimiter, peak: Peak, tasks: int) -> None:
    async def one() -> None:
        async with limiter.slot():
            peak.enter()
            await asyncio.sleep(0.005)
            peak.leave()

    await asyncio.gather(*(one() for _ in range(tasks)))


def test_no_more_than_the_limit_run_at_once_across_four_threads_with_their_own_loops() -> None:
    limiter = CrossLoopLimiter(10)
    peak = Peak()
    threads = [threading.Thread(target=lambda: asyncio.run(_work(limiter, peak, 50))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak.peak == 10
    assert limiter.in_flight == 0


def test_a_cancelled_waiter_does_not_leak_a_slot() -> None:
    async def scenario() -> None:
        limiter = CrossLoopLimiter(1)
        await limiter.acquire()
        waiter = asyncio.create_task(limiter.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        limiter.release()
        assert limiter.in_flight == 0
        async with limiter.slot():
            assert limiter.in_flight == 1

    asyncio.run(scenario())


def test_one_account_shares_one_limiter_and_accounts_do_not_share() -> None:
    assert limiter_for("acct-a") is limiter_for("acct-a")
    assert limiter_for("acct-a") is not limiter_for("acct-b")


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CrossLoopLimiter(0)
