"""The one HTTP seam to Mailchimp: auth, base URL, the 10-connection cap, retries, typed errors.

Everything the product says to Mailchimp goes through ``MailchimpClient``; nothing else imports httpx
for Mailchimp. The same code talks to real Mailchimp and to the local emulator (base URL override).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import random
import threading
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Self, TypeVar

import httpx
from pydantic import BaseModel
from pydantic_core import to_json

from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.limiter import CrossLoopLimiter, limiter_for
from constituent.kit import metrics
from constituent.kit.settings import get_settings
from constituent.kit.tls import shared_ssl_context

log = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)
ItemT = TypeVar("ItemT", covariant=True)
Parsed = TypeVar("Parsed")
AuthKind = Literal["api_key", "oauth"]
PAGE_SIZE = 1000  # Mailchimp's maximum `count`
PAGES_IN_FLIGHT = 10  # the per-account connection cap (API-NOTES §4)


class Paged(Protocol[ItemT]):
    """A page of a Mailchimp collection as ``responses.py`` models it."""

    @property
    def total_items(self) -> int: ...

    @property
    def items(self) -> Sequence[ItemT]: ...

    @classmethod
    def model_validate_json(cls, json_data: bytes) -> Self: ...


PageT = TypeVar("PageT", bound=Paged[Any])


def datacenter_of(api_key: str) -> str:
    """The data center is what follows the last '-' of an API key (e.g. ``…-us21``)."""
    key = api_key.strip()
    if "-" not in key or not key.rsplit("-", 1)[1]:
        raise ValueError("a Mailchimp API key ends with '-<data center>', e.g. '…-us21'")
    return key.rsplit("-", 1)[1]


def default_api_base(dc: str) -> str:
    return f"https://{dc}.api.mailchimp.com/3.0"


@dataclass(frozen=True)
class Credentials:
    """How to reach one Mailchimp account. ``secret`` is an API key or an OAuth access token."""

    kind: AuthKind
    secret: str = field(repr=False)
    api_base: str  # the API root including /3.0

    def authorization(self) -> str:
        if self.kind == "api_key":
            # Basic auth with any user name and the key as password is Mailchimp's documented form.
            raw = base64.b64encode(f"constituent:{self.secret}".encode()).decode()
            return f"Basic {raw}"
        return f"Bearer {self.secret}"

    def account_key(self) -> str:
        """Identifies the account for the shared connection cap without holding the secret itself."""
        digest = hashlib.sha256(self.secret.encode()).hexdigest()[:16]
        return f"{self.api_base}#{digest}"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.25
    max_delay: float = 8.0

    @classmethod
    def configured(cls) -> RetryPolicy:
        """The policy every client uses unless given another: the operator's settings (``CONSTITUENT_
        MAILCHIMP_RETRY_*``; the test suite shortens the waits there, for every process it starts)."""
        settings = get_settings()
        return cls(settings.mailchimp_retry_attempts, settings.mailchimp_retry_base_seconds)

    def delay(self, attempt: int) -> float:
        # Full jitter: spreads the retries of many concurrent requests instead of bunching them.
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


class RequestStats:
    """Counts what a run asked of Mailchimp (reads vs writes, error answers by status)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reads = 0
        self.writes = 0
        self.retries = 0
        self.errors: Counter[int] = Counter()

    def count(self, method: str) -> None:
        with self._lock:
            if method == "GET":
                self.reads += 1
            else:
                self.writes += 1

    def count_error(self, status: int) -> None:
        with self._lock:
            self.errors[status] += 1

    def count_retry(self) -> None:
        with self._lock:
            self.retries += 1


class MailchimpClient:
    def __init__(
        self,
        credentials: Credentials,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        limiter: CrossLoopLimiter | None = None,
        timeout: float = 120.0,
        stats: RequestStats | None = None,
        before_request: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """``before_request`` runs just before each request leaves (a sync checks its lease there)."""
        self.credentials = credentials
        self.before_request = before_request
        self.retry = retry or RetryPolicy.configured()
        self.limiter = limiter or limiter_for(credentials.account_key())
        self.stats = stats or RequestStats()
        base_transport = transport or httpx.AsyncHTTPTransport(
            verify=shared_ssl_context(),
            limits=httpx.Limits(
                max_connections=self.limiter.limit, max_keepalive_connections=self.limiter.limit
            ),
        )
        self._http = httpx.AsyncClient(
            base_url=credentials.api_base.rstrip("/"),
            transport=base_transport,
            timeout=httpx.Timeout(timeout, connect=10.0),
            headers={"Authorization": credentials.authorization(), "User-Agent": "Constituent/0.1"},
        )

    async def __aenter__(self) -> MailchimpClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the one request path ------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool = True,
    ) -> Any:
        """Send one request with retries; returns the decoded JSON body (None for 204).

        Retries 429, 5xx and connection failures with backoff. A non-idempotent request (creating a
        list, a webhook, a campaign) is only retried when it surely did not reach Mailchimp
        (connection refused, 429), so a retry can never create a second one.
        """
        return await self._with_retries(method, path, params, json, idempotent, _body)

    async def _with_retries(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        idempotent: bool,
        parse: Callable[[httpx.Response], Parsed],
    ) -> Parsed:
        attempt = 0
        while True:
            try:
                return await self._send_once(method, path, params, json, parse)
            except (errors.MailchimpError, httpx.TransportError) as exc:
                if not self._should_retry(exc, idempotent) or attempt + 1 >= self.retry.max_attempts:
                    raise self._final_error(exc, method, path) from exc
                self.stats.count_retry()
                delay = self.retry.delay(attempt)
                log.info("mailchimp retry %s %s after %s in %.2fs", method, path, type(exc).__name__, delay)
                attempt += 1
                await asyncio.sleep(delay)

    async def _send_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        parse: Callable[[httpx.Response], Parsed],
    ) -> Parsed:
        async with self.limiter.slot():
            if self.before_request is not None:
                await self.before_request()
            self.stats.count(method)
            response = await self._http.request(method, path, params=params, **_json_body(json))
        metrics.mailchimp_answered(method, response.status_code)
        if response.is_success:
            return parse(response)
        body = _decode(response)
        self.stats.count_error(response.status_code)
        raise errors.error_from_response(
            response.status_code, body, method=method, path=path, json_body=_is_json(response)
        )

    @staticmethod
    def _should_retry(exc: Exception, idempotent: bool) -> bool:
        if isinstance(exc, errors.TooManyRequests):
            return True
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return True
        if not idempotent:
            return False
        return isinstance(exc, httpx.TransportError) or (
            isinstance(exc, errors.MailchimpError) and exc.retryable
        )

    @staticmethod
    def _final_error(exc: Exception, method: str, path: str) -> errors.MailchimpError:
        if isinstance(exc, errors.MailchimpError):
            return exc
        return errors.MailchimpUnavailable(
            0, "Mailchimp could not be reached", f"{type(exc).__name__}: {exc}", method=method, path=path
        )

    async def get_model(
        self, path: str, model: type[ModelT], params: Mapping[str, Any] | None = None
    ) -> ModelT:
        return await self._with_retries("GET", path, params, None, True, _parser(model))

    async def send_model(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        body: Any,
        *,
        idempotent: bool = True,
        params: Mapping[str, Any] | None = None,
    ) -> ModelT:
        # Straight from the bytes: pydantic's parser skips the fields the model does not declare,
        # where json.loads would first build every one of them (a batch answer holds 500 members).
        return await self._with_retries(method, path, params, body, idempotent, _parser(model))

    async def pages(
        self,
        path: str,
        model: type[PageT],
        *,
        params: Mapping[str, Any] | None = None,
        fields: str | None = None,
        page_size: int = PAGE_SIZE,
        start: int = 0,
        in_flight: int = PAGES_IN_FLIGHT,
    ) -> AsyncGenerator[tuple[int, PageT], None]:
        """Every page of a collection from offset ``start``, in order, with its offset.

        The only way the product pages a Mailchimp collection. The first page gives ``total_items``,
        so the other offsets are known and ``in_flight`` of them are fetched at a time (in order, so a
        caller keeping a cursor stays true; the per-account cap still bounds the connections).
        ``fields`` names the items' fields (``members.id,…``); ``total_items`` is always asked for.
        Memory stays one window of pages, whatever the collection's size.
        """

        def parse(response: httpx.Response) -> PageT:
            return model.model_validate_json(response.content)

        async def page(offset: int) -> PageT:
            query = dict(params or {}, count=page_size, offset=offset)
            if fields:
                query["fields"] = f"{fields},total_items"
            return await self._with_retries("GET", path, query, None, True, parse)

        first = await page(start)
        yield start, first
        offsets = list(range(start + page_size, first.total_items, page_size))
        for at in range(0, len(offsets), in_flight):
            window = offsets[at : at + in_flight]
            for offset, body in zip(window, await asyncio.gather(*(page(o) for o in window)), strict=True):
                yield offset, body

    async def collect(
        self,
        path: str,
        model: type[Paged[ItemT]],
        *,
        params: Mapping[str, Any] | None = None,
        fields: str | None = None,
    ) -> list[ItemT]:
        """Every item of a (small enough) collection: the pages' items, in order."""
        return [
            item
            async for _, page in self.pages(path, model, params=params, fields=fields)
            for item in page.items
        ]


def _json_body(body: Any) -> dict[str, Any]:
    """The request's JSON body, encoded by pydantic's serializer: the bytes httpx's ``json=`` makes
    (compact, UTF-8), in less than half the time; a first sync encodes a 500-member page per request."""
    if body is None:
        return {}
    return {"content": to_json(body), "headers": {"Content-Type": "application/json"}}


def _is_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "").lower()


def _body(response: httpx.Response) -> Any:
    """The decoded JSON of a successful answer; None when it has none (204)."""
    if response.status_code == 204 or not response.content:
        return None
    return _decode(response)


def _parser(model: type[ModelT]) -> Callable[[httpx.Response], ModelT]:
    def parse(response: httpx.Response) -> ModelT:
        return model.model_validate_json(response.content)

    return parse


def _decode(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"title": f"HTTP {response.status_code}", "detail": response.text[:200]}


class OAuthServer:
    """Mailchimp's login server: code exchange and account metadata (not part of the /3.0 API)."""

    def __init__(self, base_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        inner = transport or httpx.AsyncHTTPTransport(verify=shared_ssl_context())
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), transport=inner, timeout=30.0)

    async def __aenter__(self) -> OAuthServer:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._http.aclose()

    async def exchange_code(self, *, code: str, client_id: str, client_secret: str, redirect_uri: str) -> str:
        form = {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": redirect_uri,
            "code": code,
        }
        response = await self._http.post("/oauth2/token", data=form)
        if response.status_code != 200:
            body = _decode(response)
            reason = body.get("error_description") or body.get("error") or body.get("detail") or "refused"
            raise errors.AuthError(response.status_code, "OAuth code exchange failed", str(reason))
        return str(response.json()["access_token"])

    async def metadata(self, access_token: str) -> dict[str, Any]:
        # Mailchimp's metadata endpoint wants the scheme "OAuth", not "Bearer".
        response = await self._http.get(
            "/oauth2/metadata", headers={"Authorization": f"OAuth {access_token}"}
        )
        if response.status_code != 200:
            raise errors.AuthError(response.status_code, "OAuth metadata refused", response.text[:200])
        body: dict[str, Any] = response.json()
        return body
