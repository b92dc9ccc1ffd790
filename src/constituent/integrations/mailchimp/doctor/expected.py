"""What the database says Mailchimp should hold for an integration: the doctor compares against this."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.audience import REQUIRED_MERGE_FIELDS
from constituent.integrations.mailchimp.merge_fields.service import mapped_fields
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync.interest_names import wanted_names
from constituent.integrations.mailchimp.webhook_registration import webhook_path, webhook_url, without_secret
from constituent.kit.crypto import SecretBox


@dataclass(frozen=True)
class Expected:
    audience_id: str
    audience_name: str
    merge_fields: dict[str, frozenset[str]]  # tag -> the types the sync can write into
    category_id: str | None
    interests: dict[str, str]  # interest id -> its name
    webhook_url: str
    webhook_path: str  # ours at any base URL (a server moved since it was registered)
    webhook_id: str | None
    secret: str

    def shown(self, text: str) -> str:
        """``text`` safe to show or log: our webhook secret (part of the URL) never appears."""
        return without_secret(text, self.secret)


def expected_of(
    session: Session, box: SecretBox, integration: MailchimpIntegration, base_url: str
) -> Expected:
    secret = box.decrypt(integration.webhook_secret_encrypted)
    merge_fields = {tag: frozenset({kind}) for tag, (_, kind) in REQUIRED_MERGE_FIELDS.items()}
    for mapped in mapped_fields(session, integration.id):
        merge_fields[mapped.tag] = mapped.field.accepts
    return Expected(
        audience_id=integration.audience_id,
        audience_name=integration.audience_name,
        merge_fields=merge_fields,
        category_id=integration.interest_category_id,
        interests=wanted_names(session, integration),
        webhook_url=webhook_url(base_url, integration.id, secret),
        webhook_path=webhook_path(integration.id, secret),
        webhook_id=integration.webhook_id,
        secret=secret,
    )
