"""Runs the Mailchimp contract checks on live traffic: httpx transports and event hooks, the official SDK."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
import pytest

from tests.support.mailchimp_spec import MailchimpSpec, SpecViolation

Send = Callable[[httpx.Request], httpx.Response]
AsyncSend = Callable[[httpx.Request], Awaitable[httpx.Response]]
Inner = TypeVar("Inner", httpx.BaseTransport, httpx.AsyncBaseTransport)


class SpecChecker:
    """Checks exchanges against the spec and keeps every violation, even ones product code catches."""

    def __init__(
        self,
        spec: MailchimpSpec,
        *,
        check_requests: bool = True,
        check_responses: bool = True,
        violations: list[SpecViolation] | None = None,
    ) -> None:
        self.spec = spec
        self.check_requests = check_requests
        self.check_responses = check_responses
        self.violations = violations if violations is not None else []

    def request(
        self, method: str, path: str, query: Mapping[str, str], body: bytes | None, content_type: str | None
    ) -> None:
        if self.check_requests:
            self._record(
                functools.partial(self.spec.validate_request, method, path, query, body, content_type)
            )

    def response(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        if self.check_responses:
            check = functools.partial(self.spec.validate_response, method, path, status, headers, body, query)
            self._record(check)

    def httpx_request(self, request: httpx.Request) -> None:
        query = dict(request.url.params)
        self.request(
            request.method, request.url.path, query, request.content, request.headers.get("content-type")
        )

    def httpx_response(self, request: httpx.Request, response: httpx.Response) -> None:
        """`response` must be read already; its `content` is the decoded body."""
        query = dict(request.url.params)
        self.response(
            request.method, request.url.path, query, response.status_code, response.headers, response.content
        )

    def _record(self, check: Callable[[], object]) -> None:
        try:
            check()
        except SpecViolation as violation:
            self.violations.append(violation)
            raise


# --- httpx transports -------------------------------------------------------------------------------------


def checked_send(checker: SpecChecker, send: Send, request: httpx.Request) -> httpx.Response:
    request.read()
    checker.httpx_request(request)
    response = send(request)
    if not checker.check_responses:
        return response
    # Straight from the stream: a transport may hand back a response that is already read.
    try:
        raw = b"".join(response.stream)  # type: ignore[arg-type]
    finally:
        response.close()
    return _checked_replay(checker, request, response, raw)


async def checked_send_async(checker: SpecChecker, send: AsyncSend, request: httpx.Request) -> httpx.Response:
    await request.aread()
    checker.httpx_request(request)
    response = await send(request)
    if not checker.check_responses:
        return response
    try:
        raw = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
    finally:
        await response.aclose()
    return _checked_replay(checker, request, response, raw)


def _checked_replay(
    checker: SpecChecker, request: httpx.Request, response: httpx.Response, raw: bytes
) -> httpx.Response:
    """Check the body, then hand the client a fresh, unread response with the same raw bytes.

    A fresh one, because a response read here would never get `elapsed` set by the client.
    """

    def replay() -> httpx.Response:
        stream = httpx.ByteStream(raw)
        return httpx.Response(
            response.status_code, headers=response.headers, stream=stream, extensions=response.extensions
        )

    probe = replay()
    probe.read()  # decodes gzip and friends, as the client will
    checker.httpx_response(request, probe)
    return replay()


class _Wrapper(Generic[Inner]):
    def __init__(
        self,
        inner: Inner,
        spec: MailchimpSpec,
        *,
        check_requests: bool = True,
        check_responses: bool = True,
        checker: SpecChecker | None = None,
    ) -> None:
        self.inner = inner
        self.checker = checker or SpecChecker(
            spec, check_requests=check_requests, check_responses=check_responses
        )


class SpecCheckingTransport(_Wrapper[httpx.BaseTransport], httpx.BaseTransport):
    """Wraps a sync transport; raises SpecViolation on a request or response that breaks the contract."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return checked_send(self.checker, self.inner.handle_request, request)

    def close(self) -> None:
        self.inner.close()


class AsyncSpecCheckingTransport(_Wrapper[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport):
    """The async twin of SpecCheckingTransport (for httpx.AsyncClient, ASGITransport)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await checked_send_async(self.checker, self.inner.handle_async_request, request)

    async def aclose(self) -> None:
        await self.inner.aclose()


# --- httpx event hooks (for clients whose transport is hard to reach, like Starlette's TestClient) ------


def event_hooks(checker: SpecChecker) -> dict[str, list[Callable[..., Any]]]:
    def on_request(request: httpx.Request) -> None:
        request.read()
        checker.httpx_request(request)

    def on_response(response: httpx.Response) -> None:
        response.read()
        checker.httpx_response(response.request, response)

    return {"request": [on_request], "response": [on_response]}


def async_event_hooks(checker: SpecChecker) -> dict[str, list[Callable[..., Any]]]:
    async def on_request(request: httpx.Request) -> None:
        await request.aread()
        checker.httpx_request(request)

    async def on_response(response: httpx.Response) -> None:
        await response.aread()
        checker.httpx_response(response.request, response)

    return {"request": [on_request], "response": [on_response]}


# --- Patches, for traffic from code that builds its own clients --------------------------------------------


def check_every_httpx_transport(monkeypatch: pytest.MonkeyPatch, checker: SpecChecker) -> None:
    """Route every real and ASGI httpx transport in the test through the checks (no client can opt out)."""
    original = httpx.HTTPTransport.handle_request

    def checked_sync(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        return checked_send(checker, functools.partial(original, self), request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", checked_sync)
    for async_class in (httpx.AsyncHTTPTransport, httpx.ASGITransport):
        original_async = async_class.handle_async_request

        async def checked(
            self: Any, request: httpx.Request, original: Any = original_async
        ) -> httpx.Response:
            return await checked_send_async(checker, functools.partial(original, self), request)

        monkeypatch.setattr(async_class, "handle_async_request", checked)


def check_mailchimp_marketing(monkeypatch: pytest.MonkeyPatch, checker: SpecChecker) -> None:
    """Check the traffic of Mailchimp's official SDK, which calls `requests` from `ApiClient.request`."""
    from mailchimp_marketing.api_client import ApiClient

    original = ApiClient.request

    def checked(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        response = original(self, method, url, *args, **kwargs)
        sent = response.request
        parts = urlsplit(sent.url)
        path, query = unquote(parts.path), dict(parse_qsl(parts.query))
        body = sent.body.encode() if isinstance(sent.body, str) else sent.body
        # The SDK serialises "no body" as JSON `null` on POST/PUT/PATCH; Mailchimp ignores it, and so do we.
        checker.request(
            method, path, query, None if body == b"null" else body, sent.headers.get("Content-Type")
        )
        checker.response(method, path, query, response.status_code, response.headers, response.content)
        return response

    monkeypatch.setattr(ApiClient, "request", checked)
