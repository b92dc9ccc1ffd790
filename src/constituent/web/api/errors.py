"""Domain errors as HTTP answers, mapped once: NotFound 404, Conflict 409, InvalidInput 422.

InvalidInput uses FastAPI's own validation shape, so clients read one format for every 422.
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from constituent.crm.errors import Conflict, DomainError, DuplicateEmail, InvalidInput, NotFound

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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
