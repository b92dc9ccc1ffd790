"""Connecting through Mailchimp's OAuth login: the pending form, the state, the code exchange.

The ``state`` sent to Mailchimp is 32 random bytes; we keep only its hash, with the submitted form and
the user, for 15 minutes, and it can be used once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from constituent.crm.errors import DomainError
from constituent.integrations.mailchimp import repository, service
from constituent.integrations.mailchimp.client import Credentials, OAuthServer
from constituent.integrations.mailchimp.connecting import connect_and_register
from constituent.integrations.mailchimp.credentials import api_base_for_endpoint, oauth_base
from constituent.integrations.mailchimp.models import MailchimpIntegration, PendingConnection
from constituent.integrations.mailchimp.schemas import ConnectRequest
from constituent.kit.crypto import SecretBox
from constituent.kit.settings import Settings

STATE_LIFETIME = timedelta(minutes=15)
CALLBACK_PATH = "/integrations/mailchimp/oauth/callback"


class OAuthNotConfigured(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Connecting through Mailchimp's login needs an OAuth app: set CONSTITUENT_MAILCHIMP_CLIENT_ID "
            "and CONSTITUENT_MAILCHIMP_CLIENT_SECRET (register the app in Mailchimp with the redirect URI "
            f"<BASE_URL>{CALLBACK_PATH}), or connect with an API key instead."
        )


class OAuthFailed(DomainError):
    """The person came back from Mailchimp without a usable grant (unknown state, denied, bad code)."""


@dataclass(frozen=True)
class PendingForm:
    user_id: int
    request: ConnectRequest


def redirect_uri(settings: Settings) -> str:
    return settings.base_url.rstrip("/") + CALLBACK_PATH


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def start(session: Session, settings: Settings, user_id: int, request: ConnectRequest, now: datetime) -> str:
    """Remember the form and return the Mailchimp login URL to send the person to."""
    if not (settings.mailchimp_client_id and settings.mailchimp_client_secret):
        raise OAuthNotConfigured()
    state = secrets.token_urlsafe(32)
    form = request.model_dump(mode="json", exclude={"api_key"})
    repository.add_pending(
        session,
        PendingConnection(
            state_hash=_hash(state), user_id=user_id, form=form, expires_at=now + STATE_LIFETIME
        ),
    )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.mailchimp_client_id,
            "redirect_uri": redirect_uri(settings),
            "state": state,
        }
    )
    return f"{oauth_base(settings)}/oauth2/authorize?{query}"


def take_pending(session: Session, state: str, now: datetime) -> PendingForm:
    """Consume the pending form for ``state`` (its own transaction: a state is single-use even on failure)."""
    pending = repository.take_pending(session, _hash(state)) if state else None
    if pending is None or pending.expires_at < now:
        raise OAuthFailed(
            "This Mailchimp login does not match a connection in progress (it expired or was already used). "
            "Start Add Integration again."
        )
    return PendingForm(pending.user_id, ConnectRequest.model_validate(pending.form))


def refuse_if_denied(error: str | None) -> None:
    if error:
        reason = "the login was cancelled" if error == "access_denied" else f"Mailchimp said {error!r}"
        raise OAuthFailed(f"Mailchimp was not connected: {reason}. Nothing was stored.")


async def finish(
    session: Session, settings: Settings, box: SecretBox, pending: PendingForm, code: str
) -> MailchimpIntegration:
    """Exchange the code for a token, read the account's data center, connect and register the webhook."""
    if not (settings.mailchimp_client_id and settings.mailchimp_client_secret):
        raise OAuthNotConfigured()
    async with OAuthServer(oauth_base(settings)) as server:
        try:
            token = await server.exchange_code(
                code=code,
                client_id=settings.mailchimp_client_id,
                client_secret=settings.mailchimp_client_secret,
                redirect_uri=redirect_uri(settings),
            )
            metadata = await server.metadata(token)
        except Exception as exc:
            raise OAuthFailed(f"Mailchimp did not complete the login: {exc}") from exc
    credentials = Credentials("oauth", token, api_base_for_endpoint(settings, str(metadata["api_endpoint"])))
    identity = service.AccountIdentity(
        dc=str(metadata.get("dc", "")),
        account_id=str(metadata.get("user_id", "")),
        account_name=str(metadata.get("accountname", "")),
        login_email=_login_email(metadata),
    )
    return await connect_and_register(session, box, pending.request, credentials, settings.base_url, identity)


def _login_email(metadata: dict[str, Any]) -> str:
    login = metadata.get("login")
    return str(login.get("login_email") or login.get("email") or "") if isinstance(login, dict) else ""
