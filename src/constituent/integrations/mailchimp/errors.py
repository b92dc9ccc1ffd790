"""Mailchimp's problem+json errors as typed exceptions, so callers branch on types, not strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class MailchimpError(Exception):
    """An error answer from Mailchimp (or no answer at all, for ``MailchimpUnavailable``)."""

    retryable = False

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        instance: str = "",
        field_errors: tuple[FieldError, ...] = (),
        method: str = "",
        path: str = "",
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.instance = instance
        self.field_errors = field_errors
        self.method = method
        self.path = path
        super().__init__(self.describe())

    def describe(self) -> str:
        """The plain sentence users see: "Mailchimp said: <title> (<detail>)"."""
        text = f"Mailchimp said: {self.title}"
        if self.detail:
            text += f" ({self.detail})"
        if self.field_errors:
            text += "; " + "; ".join(f"{e.field}: {e.message}" for e in self.field_errors)
        return text


class AuthError(MailchimpError):
    """The API key or token is missing, invalid, revoked, or for another data center."""


class PlanLimit(MailchimpError):
    """The account's plan allows no more audiences (or the action is not permitted for the user)."""


class NotFound(MailchimpError):
    pass


class MemberExists(MailchimpError):
    pass


class MemberInComplianceState(MailchimpError):
    """The person unsubscribed themselves, bounced, or is under review: Mailchimp will not re-add them."""


class ForgottenEmail(MailchimpError):
    """The address was permanently deleted in Mailchimp and cannot be re-imported."""


class InvalidResource(MailchimpError):
    pass


class MethodNotAllowed(MailchimpError):
    pass


class TooManyRequests(MailchimpError):
    retryable = True


class ServerError(MailchimpError):
    retryable = True


class MailchimpUnavailable(MailchimpError):
    """No HTTP answer (connection refused, reset, timeout) after all retries."""

    retryable = True


_BY_TITLE: dict[str, type[MailchimpError]] = {
    "Member Exists": MemberExists,
    "Member In Compliance State": MemberInComplianceState,
    "Forgotten Email Not Subscribed": ForgottenEmail,
    "Invalid Resource": InvalidResource,
    "Resource Not Found": NotFound,
    "Method Not Allowed": MethodNotAllowed,
    "User action not permitted": PlanLimit,
}


_CREDENTIAL_TITLES = frozenset({"API Key Invalid", "API Key Missing", "Wrong Datacenter", "User Disabled"})
THROTTLED_TITLE = "Throttled"


def _class_for(status: int, title: str) -> type[MailchimpError]:
    if title in _BY_TITLE:
        return _BY_TITLE[title]
    # Only Mailchimp's own word on the credentials rejects them: a 401, or a JSON body naming the key.
    if status == 401 or title in _CREDENTIAL_TITLES:
        return AuthError
    if status == 404:
        return NotFound
    if status == 429:
        return TooManyRequests
    if status >= 500:
        return ServerError
    if status == 403:
        return PlanLimit if "permitted" in title.lower() else MailchimpError
    return MailchimpError


def error_from_response(
    status: int, body: Any, *, method: str = "", path: str = "", json_body: bool = True
) -> MailchimpError:
    """Build the typed error from a problem+json body (or from the status alone when there is none).

    A 403 whose body is not JSON is not Mailchimp's API answering but its edge shedding load ("at
    exceptionally high volumes … 429 or 403 without a JSON body", API-NOTES §4): throttling, retried.
    """
    if status == 403 and not json_body:
        detail = "Mailchimp is throttling requests (HTTP 403 without an API answer)"
        return TooManyRequests(status, THROTTLED_TITLE, detail, method=method, path=path)
    data = body if isinstance(body, dict) else {}
    title = str(data.get("title") or f"HTTP {status}")
    field_errors = tuple(
        FieldError(str(e.get("field", "")), str(e.get("message", "")))
        for e in data.get("errors") or []
        if isinstance(e, dict)
    )
    cls = _class_for(status, title)
    return cls(
        status,
        title,
        str(data.get("detail") or ""),
        instance=str(data.get("instance") or ""),
        field_errors=field_errors,
        method=method,
        path=path,
    )
