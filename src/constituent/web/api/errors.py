"""Domain errors as HTTP answers, mapped once: NotFound 404, Conflict 409, InvalidInput 422.

InvalidInput uses FastAPI's own validation shape, so clients read one format for every 422.
Mailchimp's errors are problem+json (RFC 9457) with Mailchimp's own words: a refusal (Mailchimp
answered 4xx about what was asked) is 409, Mailchimp unreachable, failing, throttling or refusing our
stored credentials is 502 (the gateway's trouble, not the client's request).
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from constituent.crm.errors import Conflict, DomainError, DuplicateEmail, InvalidInput, NotFound
from constituent.integrations.mailchimp.errors import AuthError, MailchimpError

PROBLEM_JSON = "application/problem+json"

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_location(field: str) -> list[str | int]:
    """``emails[0].address`` -> ``["body", "emails", 0, "address"]``."""
    parts: list[str | int] = ["body"]
    for name, index in _PATH_PART.findall(field):
        parts.append(name if name else int(index))
    return parts


def _invalid_input(error: InvalidInput) -> JSONResponse:
    detail = [{"type": "value_error", "loc": field_location(error.field), "msg": error.message}]
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": detail})


def _status_code(error: Exception) -> int:
    if isinstance(error, NotFound):
        return status.HTTP_404_NOT_FOUND
    if isinstance(error, Conflict):
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, InvalidInput):
        return _invalid_input(exc)
    if isinstance(exc, DuplicateEmail):  # the client can open the other contact instead
        content = {"detail": str(exc), "contact_id": exc.contact_id}
        return JSONResponse(status_code=status.HTTP_409_CONFLICT, content=content)
    return JSONResponse(status_code=_status_code(exc), content={"detail": str(exc)})


def mailchimp_status(error: MailchimpError) -> int:
    if error.retryable or isinstance(error, AuthError):
        return status.HTTP_502_BAD_GATEWAY
    return status.HTTP_409_CONFLICT


async def _mailchimp_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MailchimpError)
    code = mailchimp_status(exc)
    title = "Mailchimp refused the request" if code == status.HTTP_409_CONFLICT else "Mailchimp failed"
    content = {
        "type": "about:blank",
        "title": title,
        "status": code,
        "detail": exc.describe(),
        "mailchimp": {
            "status": exc.status,
            "title": exc.title,
            "detail": exc.detail,
            "errors": [{"field": e.field, "message": e.message} for e in exc.field_errors],
        },
    }
    return JSONResponse(status_code=code, content=content, media_type=PROBLEM_JSON)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(MailchimpError, _mailchimp_error)
