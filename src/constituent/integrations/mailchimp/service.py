"""Connecting and removing Mailchimp integrations.

Connecting is two steps, each its own transaction at the boundary: ``connect`` stores the integration
(after every Mailchimp-side step succeeded, so nothing is left half-made), then ``register_webhook``
runs once the row is committed, because Mailchimp validates the webhook URL by calling our server,
which must already know the integration.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from constituent.crm.errors import Conflict, InvalidInput, NotFound
from constituent.integrations.mailchimp import audience as mc_audience
from constituent.integrations.mailchimp import errors, repository
from constituent.integrations.mailchimp.client import Credentials, MailchimpClient
from constituent.integrations.mailchimp.credentials import credentials_for
from constituent.integrations.mailchimp.models import (
    AuthKind,
    MailchimpIntegration,
    MailchimpSource,
    SourceKind,
    SourceTarget,
    SyncMode,
    WebhookState,
)
from constituent.integrations.mailchimp.responses import AccountRoot, Audience
from constituent.integrations.mailchimp.schemas import ConnectRequest
from constituent.integrations.mailchimp.webhook_registration import (
    delete_webhook,
    register_webhook,
    webhook_url,
    without_secret,
)
from constituent.kit.crypto import SecretBox


@dataclass(frozen=True)
class PreparedAudience:
    audience: Audience
    created: bool
    interest_category_id: str


@dataclass(frozen=True)
class AccountIdentity:
    dc: str
    account_id: str
    account_name: str
    login_email: str


def resolve_group_ids(session: Session, request: ConnectRequest) -> list[int]:
    """Groups mode needs at least one existing group; fail before anything happens in Mailchimp."""
    if request.mode != SyncMode.groups:
        if request.groups:
            raise InvalidInput("groups", "groups only apply in groups mode (mode=groups)")
        return []
    if not request.groups:
        raise InvalidInput("groups", "groups mode needs at least one group to feed the audience")
    found = repository.groups_by_name(session, request.groups)
    missing = [name for name in request.groups if name.strip().lower() not in found]
    if missing:
        raise InvalidInput("groups", f"no group named {', '.join(repr(m) for m in missing)}")
    return [found[name.strip().lower()] for name in request.groups]


async def prepare_audience(client: MailchimpClient, request: ConnectRequest) -> PreparedAudience:
    """Find or create the audience and give it what the sync needs; undo a creation if a step fails."""
    created = False
    if request.audience_id:
        audience = await mc_audience.get_audience(client, request.audience_id)
    else:
        name = request.audience_name or request.name
        found = await mc_audience.find_audience_by_name(client, name) if request.audience_name else None
        if found is None:
            audience = await mc_audience.create_audience(client, request, name)
            created = True
        else:
            audience = found
    try:
        await mc_audience.ensure_merge_fields(client, audience.id)
        category_id = await mc_audience.ensure_interest_category(client, audience.id)
    except BaseException:
        if created:
            await mc_audience.delete_audience(client, audience.id)
        raise
    return PreparedAudience(audience, created, category_id)


async def connect(
    session: Session,
    box: SecretBox,
    request: ConnectRequest,
    credentials: Credentials,
    identity: AccountIdentity | None = None,
) -> MailchimpIntegration:
    """Verify the account, prepare the audience and store the integration (not yet committed)."""
    group_ids = resolve_group_ids(session, request)
    async with MailchimpClient(credentials) as client:
        account = await mc_audience.verify_account(client)
        if request.audience_id and repository.find_by_audience(
            session, credentials.api_base, request.audience_id
        ):
            raise Conflict(f"audience {request.audience_id} is already connected to an integration")
        prepared = await prepare_audience(client, request)
    if not prepared.created and repository.find_by_audience(
        session, credentials.api_base, prepared.audience.id
    ):
        raise Conflict(f"audience {prepared.audience.id} is already connected to an integration")
    integration = _new_integration(
        box, request, credentials, identity or _identity(credentials, account), prepared
    )
    integration.sources = [
        MailchimpSource(kind=SourceKind.group, group_id=gid, target=SourceTarget.membership)
        for gid in group_ids
    ]
    return repository.add(session, integration)


def _identity(credentials: Credentials, account: AccountRoot) -> AccountIdentity:
    dc = credentials.secret.rsplit("-", 1)[-1] if credentials.kind == "api_key" else ""
    return AccountIdentity(dc, account.account_id, account.account_name, account.email)


def _new_integration(
    box: SecretBox,
    request: ConnectRequest,
    credentials: Credentials,
    identity: AccountIdentity,
    prepared: PreparedAudience,
) -> MailchimpIntegration:
    return MailchimpIntegration(
        name=request.name,
        auth_kind=AuthKind.api_key if credentials.kind == "api_key" else AuthKind.oauth,
        secret_encrypted=box.encrypt(credentials.secret),
        dc=identity.dc,
        api_base=credentials.api_base,
        account_id=identity.account_id,
        account_name=identity.account_name,
        login_email=identity.login_email,
        audience_id=prepared.audience.id,
        audience_name=prepared.audience.name,
        audience_web_id=prepared.audience.web_id,
        audience_created_by_us=prepared.created,
        interest_category_id=prepared.interest_category_id,
        mode=request.mode,
        initial_sync=request.initial_sync,
        double_optin=request.double_optin,
        nightly_time=request.nightly_time,
        webhook_secret_encrypted=box.encrypt(secrets.token_urlsafe(24)),
        webhook_state=WebhookState.not_registered,
    )


async def register_integration_webhook(
    integration: MailchimpIntegration, box: SecretBox, base_url: str
) -> MailchimpIntegration:
    """Register our webhook; when Mailchimp cannot reach us, record why (reconciliation covers the gap)."""
    secret = box.decrypt(integration.webhook_secret_encrypted)
    url = webhook_url(base_url, integration.id, secret)
    try:
        async with MailchimpClient(credentials_for(integration, box)) as client:
            webhook = await register_webhook(client, integration.audience_id, url)
    except errors.MailchimpError as exc:
        integration.webhook_state = WebhookState.not_registered
        # Mailchimp's validator quotes the URL it could not reach: the secret must not be stored or shown.
        integration.webhook_error = without_secret(exc.describe(), secret)
        return integration
    integration.webhook_id = webhook.id
    integration.webhook_state = WebhookState.registered
    integration.webhook_error = ""
    return integration


def get_integration(session: Session, integration_id: int) -> MailchimpIntegration:
    integration = repository.get(session, integration_id)
    if integration is None:
        raise NotFound("Mailchimp integration", integration_id)
    return integration


async def remove(session: Session, box: SecretBox, integration_id: int) -> str:
    """Delete our webhook in Mailchimp and forget the credentials; the audience stays. Says what happened."""
    integration = get_integration(session, integration_id)
    note = ""
    if integration.webhook_id and integration.secret_encrypted:
        try:
            async with MailchimpClient(credentials_for(integration, box)) as client:
                await delete_webhook(client, integration.audience_id, integration.webhook_id)
        except errors.MailchimpError as exc:
            note = (
                f" Our webhook could not be deleted in Mailchimp ({exc.describe()}); delete it there by hand."
            )
    audience = integration.audience_name or integration.audience_id
    repository.delete(session, integration)
    return (
        f"Removed integration {integration_id}. The audience {audience!r} stays in Mailchimp with its"
        f" members; the stored credentials were deleted.{note}"
    )


def webhook_secret_matches(session: Session, box: SecretBox, integration_id: int, secret: str) -> bool:
    """Whether ``secret`` is this integration's webhook secret (compared in constant time)."""
    integration = repository.get(session, integration_id)
    if integration is None:
        return False
    return hmac.compare_digest(box.decrypt(integration.webhook_secret_encrypted).encode(), secret.encode())
