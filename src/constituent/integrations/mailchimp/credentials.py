"""Turning what we store (encrypted) into what the client needs, and where each account's API lives."""

from __future__ import annotations

from constituent.integrations.mailchimp.client import Credentials, datacenter_of, default_api_base
from constituent.integrations.mailchimp.models import AuthKind, MailchimpIntegration
from constituent.kit.crypto import SecretBox
from constituent.kit.settings import Settings

DEFAULT_OAUTH_BASE = "https://login.mailchimp.com"


def api_base_for_key(settings: Settings, api_key: str) -> str:
    """Raises ValueError for a key without a data center, also when the base URL is overridden."""
    dc = datacenter_of(api_key)
    return settings.mailchimp_api_base or default_api_base(dc)


def api_base_for_endpoint(settings: Settings, api_endpoint: str) -> str:
    """OAuth metadata gives ``https://usN.api.mailchimp.com`` without ``/3.0``."""
    return settings.mailchimp_api_base or f"{api_endpoint.rstrip('/')}/3.0"


def oauth_base(settings: Settings) -> str:
    return settings.mailchimp_oauth_base or DEFAULT_OAUTH_BASE


def credentials_for(integration: MailchimpIntegration, box: SecretBox) -> Credentials:
    if not integration.secret_encrypted:
        raise ValueError(f"integration {integration.id} has no stored credentials (it was removed)")
    secret = box.decrypt(integration.secret_encrypted)
    if integration.auth_kind == AuthKind.api_key:
        return Credentials("api_key", secret, integration.api_base)
    return Credentials("oauth", secret, integration.api_base)
