"""Prometheus metrics (``GET /metrics``).

Counters kept in this process: Mailchimp requests by method and status, and Mailchimp error answers
by status. With several processes on one host (serve + worker), set ``PROMETHEUS_MULTIPROC_DIR`` to a
shared empty directory and ``/metrics`` adds up every process's counters. What the database knows
(runs by outcome, members synced, webhook inbox depth) is computed when scraped (``render(computed)``),
so it is right across any number of worker machines.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MAILCHIMP_REQUESTS = Counter(
    "constituent_mailchimp_requests",
    "Requests sent to Mailchimp, by method and answer status.",
    ["method", "status"],
)
MAILCHIMP_ERRORS = Counter(
    "constituent_mailchimp_errors", "Error answers from Mailchimp (4xx/5xx), by status.", ["status"]
)
CONTENT_TYPE = CONTENT_TYPE_LATEST


def mailchimp_answered(method: str, status: int) -> None:
    MAILCHIMP_REQUESTS.labels(method=method, status=str(status)).inc()
    if status >= 400:
        MAILCHIMP_ERRORS.labels(status=str(status)).inc()


class _Computed(Collector):
    def __init__(self, collect: Callable[[], Iterable[Metric]]) -> None:
        self._collect = collect

    def collect(self) -> Iterable[Metric]:
        return self._collect()


def render(computed: Callable[[], Iterable[Metric]] | None = None) -> bytes:
    """The exposition text: this process's (or every local process's) counters plus ``computed``."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for collector in (MAILCHIMP_REQUESTS, MAILCHIMP_ERRORS):
            registry.register(collector)
    if computed is not None:
        registry.register(_Computed(computed))
    return generate_latest(registry)
