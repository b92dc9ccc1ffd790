"""Request bodies are limited before anything else runs (authentication included): a body beyond the
limit is answered 413 as soon as its size is known, from Content-Length or counted while it streams in,
so an anonymous client can never make the server hold a large body in memory.

Only a logged-in session's CSV upload (the import page) may be larger; the session cookie is read (by the
session middleware, outside this one) without touching the database.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_LIMIT = 1024 * 1024  # JSON and forms: 1,000 contact ids or a 100-condition search fit easily
UPLOAD_LIMIT = 64 * 1024 * 1024
LARGER_FOR_SESSIONS: Mapping[str, int] = {"/import": UPLOAD_LIMIT}
_SESSION_USER = "uid"


class _TooLarge(HTTPException):
    """Raised from ``receive`` while the app reads the body: an HTTPException, so FastAPI's body parsing
    passes it on (it turns other errors into 400) and the exception middleware answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _message(limit))


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        started, received = False, 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooLarge:
            if started:
                raise
            await _refuse(send, limit)


def limit_for(scope: Scope) -> int:
    larger = LARGER_FOR_SESSIONS.get(scope.get("path", ""))
    session = scope.get("session")
    if larger is not None and isinstance(session, dict) and isinstance(session.get(_SESSION_USER), int):
        return larger
    return DEFAULT_LIMIT


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # A length that is not a number: the server refuses it anyway; count the body instead.
            return int(text) if text.isdigit() and len(text) < 19 else None
    return None


def _message(limit: int) -> str:
    return f"Request body too large: at most {limit} bytes."


async def _refuse(send: Send, limit: int) -> None:
    body = (_message(limit) + "\n").encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": 413, "headers": [*headers, (b"connection", b"close")]}
    )
    await send({"type": "http.response.body", "body": body})
