"""Who is calling: HTTP Basic (any user, the API key as password) or Bearer (an API key or an OAuth token)."""

from __future__ import annotations

import base64
import binascii

from fastapi import Request

from mailchimp_emulator.errors import MailchimpError
from mailchimp_emulator.state import Account, Store

MISSING_DETAIL = "Your request did not include an API key. Please provide your API key and try again."
INVALID_DETAIL = "Your API key may be invalid, or you've attempted to access the wrong data center."


def credential_from_header(header: str | None) -> str | None:
    """The API key or token carried by an Authorization header, or None when there is none."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" or scheme.lower() == "oauth":
        return value or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return ""


def account_from_header(store: Store, header: str | None) -> Account | None:
    credential = credential_from_header(header)
    return store.account_for_token(credential) if credential else None


def current_account(request: Request) -> Account:
    """FastAPI dependency for every /3.0 route."""
    credential = credential_from_header(request.headers.get("authorization"))
    if credential is None:
        raise MailchimpError(401, "API Key Missing", MISSING_DETAIL)
    store: Store = request.app.state.store
    account = store.account_for_token(credential) if credential else None
    if account is None:
        raise MailchimpError(401, "API Key Invalid", INVALID_DETAIL)
    return account
