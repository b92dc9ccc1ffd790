"""Connecting is a boundary of its own: it commits between its two steps.

Mailchimp validates a new webhook URL by calling our server, which must already see the committed
integration; so ``connect`` is committed before ``register_integration_webhook`` runs. Callers hand in
their transaction's session (a CLI command's, a request's) and commit the rest as usual.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.schemas import ConnectRequest
from constituent.kit.crypto import SecretBox


async def connect_and_register(
    session: Session,
    box: SecretBox,
    request: ConnectRequest,
    credentials: Credentials,
    base_url: str,
    identity: service.AccountIdentity | None = None,
) -> MailchimpIntegration:
    integration = await service.connect(session, box, request, credentials, identity)
    session.commit()
    return await service.register_integration_webhook(integration, box, base_url)
