"""What sits between the network and the /3.0 routes: connection cap, added latency, injected faults, counts.

It is plain ASGI middleware (not Starlette's BaseHTTPMiddleware) so that it adds almost nothing to a request
and
so that a "reset" fault can cut a connection mid-response.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mailchimp_emulator.auth import account_from_header
from mailchimp_emulator.config import EmulatorConfig
from mailchimp_emulator.errors import problem
from mailchimp_emulator.state import Store

API_PREFIX = "/3.0"
FAULT_TITLES = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class EmulatedConnectionReset(Exception):
    """Raised after the response has started, so the server drops the connection half-way."""


@dataclass(slots=True)
class Faults:
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 503])
    throttle_rate: float = 0.0
    # 429 problem+json, or 403 with an HTML body: "at exceptionally high volumes … 429 or 403 without a JSON
    # body" (Mailchimp's docs, quoted in API-NOTES §4).
    throttle_status: int = 429
    reset_rate: float = 0.0
    latency_ms: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def as_json(self) -> dict[str, Any]:
        return {
            "error_rate": self.error_rate,
            "error_statuses": self.error_statuses,
            "throttle_rate": self.throttle_rate,
            "throttle_status": self.throttle_status,
            "reset_rate": self.reset_rate,
            "latency_ms": self.latency_ms,
        }


@dataclass(slots=True)
class Limits:
    """The shared runtime of the middleware; the control API reads and changes it."""

    config: EmulatorConfig
    store: Store
    routes: RouteTable = field(default_factory=lambda: RouteTable(()))
    faults: Faults = field(default_factory=Faults)
    in_flight: Counter[str] = field(default_factory=Counter)
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)  # (account id, "METHOD template")

    def stats(self, account_id: str | None = None) -> dict[str, Any]:
        counts: Counter[str] = Counter()
        for (owner, key), n in self.requests.items():
            if account_id is None or owner == account_id:
                counts[key] += n
        return {"requests": dict(sorted(counts.items())), "total": sum(counts.values())}


class RouteTable:
    """The API's path templates, matched here because the middleware must name a route before routing runs
    (a faulted request never reaches the router, yet is still counted under its template)."""

    def __init__(self, routers: tuple[APIRouter, ...], prefix: str = API_PREFIX) -> None:
        self.entries = [
            (compile_path(prefix + route.path)[0], route.methods or set(), prefix + route.path)
            for router in routers
            for route in router.routes
            if isinstance(route, APIRoute)
        ]

    def template_of(self, method: str, path: str) -> str:
        for regex, methods, template in self.entries:
            if method in methods and regex.match(path):
                return f"{method} {template}"
        return f"{method} {path}"

    def allowed_methods(self, path: str) -> list[str]:
        return sorted(
            {m for regex, methods, _ in self.entries if regex.match(path) for m in methods} - {"HEAD"}
        )


class ApiLimitsMiddleware:
    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        limits = self.limits
        account = account_from_header(limits.store, _header(scope, b"authorization"))
        owner = account.id if account else ""
        limits.requests[(owner, limits.routes.template_of(scope["method"], scope["path"]))] += 1
        if account and limits.in_flight[owner] >= limits.config.max_connections:
            await _send_too_many(send, limits.config.max_connections)
            return
        limits.in_flight[owner] += 1
        try:
            await self._serve(scope, receive, send)
        finally:
            limits.in_flight[owner] -= 1

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.limits.faults
        latency = self.limits.config.latency_ms + faults.latency_ms
        if latency:
            # Sleeping (not blocking) lets requests overlap as they would on a real network.
            await asyncio.sleep(latency / 1000)
        roll = faults.rng.random()
        if roll < faults.reset_rate:
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]}
            )
            raise EmulatedConnectionReset(scope["path"])
        roll -= faults.reset_rate
        if roll < faults.throttle_rate:
            if faults.throttle_status == 403:
                await _send_forbidden_page(send)
            else:
                await _send_too_many(send, self.limits.config.max_connections)
            return
        roll -= faults.throttle_rate
        if roll < faults.error_rate:
            status = faults.rng.choice(faults.error_statuses)
            title = FAULT_TITLES.get(status, "Internal Server Error")
            await problem(status, title, "An unexpected error was injected by the emulator.")(
                scope, receive, send
            )
            return
        await self.app(scope, receive, _with_request_id(send))


async def _send_too_many(send: Send, cap: int) -> None:
    detail = f"You have exceeded the limit of {cap} simultaneous connections."
    response = problem(429, "Too Many Requests", detail)
    await response({"type": "http"}, _no_receive, send)


THROTTLED_PAGE = b"<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1></body></html>"


async def _send_forbidden_page(send: Send) -> None:
    """What an edge in front of the API answers under heavy load: not problem+json, not even JSON."""
    headers = [(b"content-type", b"text/html"), (b"content-length", str(len(THROTTLED_PAGE)).encode())]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": THROTTLED_PAGE})


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _with_request_id(send: Send) -> Send:
    """Every Mailchimp response carries an X-Request-Id; problem responses already set their own."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(key.lower() == b"x-request-id" for key, _ in headers):
                headers.append((b"x-request-id", str(uuid.uuid4()).encode()))
            message = {**message, "headers": headers}
        await send(message)

    return sending
