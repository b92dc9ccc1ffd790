"""Email addresses: validated for syntax only (no DNS), trimmed, and a lower-cased copy for matching."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email


class InvalidEmail(ValueError):
    """The text is not a syntactically valid email address."""


@dataclass(frozen=True, slots=True)
class NormalisedEmail:
    address: str
    normalized: str
    domain: str


def normalise_email(raw: str) -> NormalisedEmail:
    text = (raw or "").strip()
    if not text:
        raise InvalidEmail("email is empty")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(f"{text!r} is not a valid email address: {exc}") from exc
    # Keep what the person typed (trimmed) for display; match on the lower-cased whole address,
    # exactly as Mailchimp does for its subscriber hash.
    return NormalisedEmail(address=text, normalized=text.lower(), domain=result.domain.lower())


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: md5 of the lower-cased address (not a security use)."""
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
