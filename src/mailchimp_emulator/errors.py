"""Errors as Mailchimp sends them: RFC 7807 problem+json with its exact titles, and the handlers for them.

Routes raise a :class:`MailchimpError` (or one of the named subclasses); the handlers installed by
:func:`install_error_handlers` turn it, and every unknown path or method, into the real body and headers.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

ERROR_TYPE = "https://mailchimp.com/developer/marketing/docs/errors/"
PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8"
DESCRIBED_BY = (
    '<https://us1.api.mailchimp.com/schema/3.0/Definitions/ProblemDetailDocument.json>; rel="describedBy"'
)

NOT_FOUND_DETAIL = "The requested resource could not be found."
VALIDATION_DETAIL = (
    "The resource submitted could not be validated. For field-specific details, see the 'errors' array."
)
METHOD_NOT_ALLOWED_DETAIL = (
    "The requested method and resource are not compatible. See the Allow header for this resource's "
    "available methods."
)


def problem(
    status: int,
    title: str,
    detail: str,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """One problem+json response; ``instance`` repeats the ``X-Request-Id`` header, as Mailchimp does."""
    request_id = str(uuid.uuid4())
    body: dict[str, Any] = {
        "type": ERROR_TYPE,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request_id,
    }
    if errors is not None:
        body["errors"] = list(errors)
    all_headers = {"X-Request-Id": request_id, "Link": DESCRIBED_BY, **(headers or {})}
    return Response(json.dumps(body), status, all_headers, media_type=PROBLEM_CONTENT_TYPE)


class MailchimpError(Exception):
    """Any API failure; raised anywhere below a route and rendered by the installed handler."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers

    def response(self) -> Response:
        return problem(self.status, self.title, self.detail, self.errors, self.headers)


class ResourceNotFound(MailchimpError):
    def __init__(self, detail: str = NOT_FOUND_DETAIL) -> None:
        super().__init__(404, "Resource Not Found", detail)


class InvalidResource(MailchimpError):
    def __init__(self, detail: str, errors: Sequence[Mapping[str, Any]] | None = None) -> None:
        super().__init__(400, "Invalid Resource", detail, errors)


def invalid_field(field: str, message: str) -> InvalidResource:
    """The 400 Mailchimp gives when one field of a body fails its schema."""
    return InvalidResource(VALIDATION_DETAIL, [{"field": field, "message": message}])


class MemberExists(MailchimpError):
    def __init__(self, email: str) -> None:
        detail = f"{email} is already a list member. Use PUT to insert or update list members."
        super().__init__(400, "Member Exists", detail)


class MemberInComplianceState(MailchimpError):
    def __init__(self, email: str) -> None:
        detail = (
            f"{email} is in a compliance state due to unsubscribe, bounce, or compliance review "
            "and cannot be subscribed."
        )
        super().__init__(400, "Member In Compliance State", detail)


class ForgottenEmailNotSubscribed(MailchimpError):
    def __init__(self, email: str) -> None:
        detail = (
            f"{email} was permanently deleted and cannot be re-imported. "
            "The contact must re-subscribe to get back on the list."
        )
        super().__init__(400, "Forgotten Email Not Subscribed", detail)


class MethodNotAllowed(MailchimpError):
    def __init__(self, allow: str, detail: str = METHOD_NOT_ALLOWED_DETAIL) -> None:
        super().__init__(405, "Method Not Allowed", detail, headers={"Allow": allow})


class JsonParseError(MailchimpError):
    def __init__(self) -> None:
        detail = "We encountered an unspecified JSON parsing error."
        super().__init__(400, "JSON Parse Error", detail)


class ActionNotPermitted(MailchimpError):
    # The body seen when an account may not create another audience (UNVERIFIED in the notes).
    def __init__(self) -> None:
        super().__init__(
            403, "User action not permitted", "User does not have access to the requested operation"
        )


def _allowed_methods(request: Request) -> str:
    limits = getattr(request.app.state, "limits", None)
    return ", ".join(limits.routes.allowed_methods(request.url.path)) if limits else ""


async def _on_mailchimp_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MailchimpError)
    return exc.response()


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        return MethodNotAllowed(_allowed_methods(request)).response()
    if exc.status_code == 404:
        return ResourceNotFound().response()
    return problem(exc.status_code, "Bad Request", str(exc.detail))


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]} for e in exc.errors()]
    return InvalidResource("The resource submitted could not be validated.", errors).response()


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MailchimpError, _on_mailchimp_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
