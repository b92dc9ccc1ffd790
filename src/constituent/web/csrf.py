"""Cross-site request forgery: every form carries the session's token; a change without it is refused.

Checked on every POST, PUT, PATCH and DELETE of the pages (router dependency), so a new page cannot
forget it. htmx sends the same token in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from constituent.web.sessions import stored_form_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FIELD_NAME = "csrf_token"
HEADER_NAME = "X-CSRF-Token"


class CsrfRejected(Exception):
    """The form's token is missing or not this session's (answered with 403)."""


async def _sent_token(request: Request) -> str:
    header = request.headers.get(HEADER_NAME)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(FIELD_NAME)
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = stored_form_token(request)
    sent = await _sent_token(request)
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfRejected()
