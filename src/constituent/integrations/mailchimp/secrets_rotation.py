"""Re-encrypt the integration's stored secrets (token and webhook secret) with the newest key."""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp import repository
from constituent.kit.crypto import SecretBox
from constituent.kit.secrets_rotation import register_rotator


@register_rotator
def rotate_integration_secrets(session: Session, box: SecretBox) -> int:
    count = 0
    for integration in repository.list_all(session):
        if integration.secret_encrypted:
            integration.secret_encrypted = box.rotate(integration.secret_encrypted)
            count += 1
        integration.webhook_secret_encrypted = box.rotate(integration.webhook_secret_encrypted)
        count += 1
    session.flush()
    return count
