"""Webhook delivery: every store event becomes form-encoded POSTs to the list's matching webhooks.

Deliveries run as tasks on the server's event loop, so an API response never waits for a receiver. Like
Mailchimp, a receiver that fails or takes longer than the timeout is retried at increasing intervals (the
schedule comes from ``EmulatorConfig``), and one that answers 410 Gone has its webhook disabled for good.
Every attempt is kept in a log that tests read through the control API; a pause switch drops events to
simulate an outage.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import ssl
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from mailchimp_emulator.events import fired_at
from mailchimp_emulator.state import Store, Webhook, WebhookEvent

DELIVERY_USER_AGENT = "MailChimp.com"
VALIDATOR_USER_AGENT = "MailChimp.com WebHook Validator"
# Enough history for any test or demo, without growing forever in a long-running sandbox.
LOG_CAPACITY = 10_000


@dataclass(slots=True)
class DeliveryAttempt:
    at: datetime
    status_code: int | None  # None when the receiver could not be reached or timed out
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "status_code": self.status_code, "error": self.error}


@dataclass(slots=True)
class Delivery:
    """One event on its way to one webhook. ``outcome``: pending, delivered, failed, disabled or dropped."""

    id: int
    webhook_id: str
    list_id: str
    url: str
    type: str
    source: str
    fields: dict[str, str]
    outcome: str = "pending"
    attempts: list[DeliveryAttempt] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "webhook_id": self.webhook_id,
            "list_id": self.list_id,
            "url": self.url,
            "type": self.type,
            "source": self.source,
            "fields": self.fields,
            "outcome": self.outcome,
            "attempts": [attempt.as_json() for attempt in self.attempts],
        }


def form_fields(event: WebhookEvent) -> dict[str, str]:
    """The POST body's fields in Mailchimp's order: type, fired_at (not ISO), then the data[...] fields."""
    return {"type": event.type, "fired_at": fired_at(event.fired_at), **event.data}


def wants(webhook: Webhook, event: WebhookEvent) -> bool:
    return (
        webhook.enabled and webhook.events.get(event.type, False) and webhook.sources.get(event.source, False)
    )


async def validate_url(url: str, timeout_seconds: float) -> bool:
    """Mailchimp's check on create: a bare GET that must answer 2xx."""
    headers = {"User-Agent": VALIDATOR_USER_AGENT}
    try:
        async with httpx.AsyncClient(timeout=timeout_seconds, verify=_tls()) as client:
            response = await client.get(url, headers=headers)
    except httpx.HTTPError:
        return False
    return response.is_success


class WebhookDispatcher:
    """Installed as ``store.event_sink``; must be called from the event loop that runs the app."""

    def __init__(self, store: Store, retry_delays: Sequence[float], timeout_seconds: float) -> None:
        self.store = store
        self.retry_delays = tuple(retry_delays)
        self.timeout_seconds = timeout_seconds
        self.paused = False
        self.dropped_lists: set[str] = set()
        self.log: deque[Delivery] = deque(maxlen=LOG_CAPACITY)
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None

    def __call__(self, event: WebhookEvent) -> None:
        audience = self.store.lists.get(event.list_id)
        if audience is None:
            return
        for webhook in list(audience.webhooks.values()):
            if wants(webhook, event):
                self._start(webhook, event)

    def set_pause(self, paused: bool, list_id: str | None = None) -> None:
        """Globally, or for one list: events arriving while paused are lost, never replayed."""
        if list_id is None:
            self.paused = paused
        elif paused:
            self.dropped_lists.add(list_id)
        else:
            self.dropped_lists.discard(list_id)

    def deliveries(self, webhook_id: str | None = None) -> list[Delivery]:
        return [d for d in self.log if webhook_id is None or d.webhook_id == webhook_id]

    async def wait_idle(self) -> None:
        """Until no delivery is in flight (retries included); for orderly shutdown and tests."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _start(self, webhook: Webhook, event: WebhookEvent) -> None:
        delivery = Delivery(
            next(self._ids),
            webhook.id,
            webhook.list_id,
            webhook.url,
            event.type,
            event.source,
            form_fields(event),
        )
        self.log.append(delivery)
        if self.paused or event.list_id in self.dropped_lists:
            delivery.outcome = "dropped"
            return
        task = asyncio.get_running_loop().create_task(self._deliver(webhook, delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, webhook: Webhook, delivery: Delivery) -> None:
        for delay in (0.0, *self.retry_delays):
            await asyncio.sleep(delay)
            if not self._still_active(webhook):
                delivery.outcome = "disabled"
                return
            status = await self._attempt(delivery)
            if status is not None and 200 <= status < 300:
                delivery.outcome = "delivered"
                return
            if status == 410:
                webhook.enabled = False
                delivery.outcome = "disabled"
                return
        delivery.outcome = "failed"

    def _still_active(self, webhook: Webhook) -> bool:
        audience = self.store.lists.get(webhook.list_id)
        return webhook.enabled and audience is not None and audience.webhooks.get(webhook.id) is webhook

    async def _attempt(self, delivery: Delivery) -> int | None:
        attempt = DeliveryAttempt(datetime.now(UTC), None)
        delivery.attempts.append(attempt)
        headers = {"User-Agent": DELIVERY_USER_AGENT}
        try:
            response = await self._http().post(delivery.url, data=delivery.fields, headers=headers)
        except httpx.TimeoutException:
            attempt.error = f"timed out after {self.timeout_seconds:g} s"
            return None
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"
            return None
        attempt.status_code = response.status_code
        return response.status_code

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout_seconds, verify=_tls())
        return self._client


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for the emulator's outgoing requests: httpx reads the whole CA bundle (40 ms of
    CPU) for each client it makes without one, and a URL check makes a client for each webhook."""
    return httpx.create_ssl_context()
