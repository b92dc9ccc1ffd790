"""No NUL character reaches the database: PostgreSQL text cannot hold one (the driver refuses the whole
statement), so a NUL anywhere in a request's address or body is a 422 before any handler runs, on the
API and the pages alike (found by bench/fuzz.py: a tag prefix of "\\u0000" answered 500).

The webhook URL has its own check with its own answer (inbound/parsing.py: 400 for Mailchimp).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError

_RAW = b"\x00"
_PERCENT = b"%00"  # an address's query, a form body
_JSON = b"\\u0000"  # a JSON string (JSON has no other way to write it)


async def refuse_nul(request: Request) -> None:
    where = None
    if _RAW in request.url.path.encode() or _PERCENT in request.url.query.encode().lower():
        where = "query" if _PERCENT in request.url.query.encode() else "path"
    elif request.method not in ("GET", "HEAD", "OPTIONS"):
        where = await _in_body(request)
    if where is not None:
        error = {"type": "value_error", "loc": [where], "msg": "text cannot contain the NUL character"}
        raise RequestValidationError([{**error, "input": None}])


async def _in_body(request: Request) -> str | None:
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        body = (await request.body()).lower()
        return "body" if _RAW in body or _JSON in body else None
    if kind.startswith("application/x-www-form-urlencoded"):
        # Read as the handler reads it (parsed once and kept): the stream cannot be read twice.
        form = await request.form()
        texts = [part for key, value in form.multi_items() for part in (key, value) if isinstance(part, str)]
        return "body" if any("\x00" in text for text in texts) else None
    return None  # uploads: the importer reads the file and rejects what it cannot store, row by row
