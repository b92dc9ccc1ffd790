"""Data the CRM page tests start from, made through the real services."""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.contacts.service import create_contact, get_contact
from constituent.crm.groups.service import create_group
from constituent.integrations.mailchimp.models import (
    AuthKind,
    MailchimpIntegration,
    MailchimpSource,
    SourceKind,
    SourceTarget,
)
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.crypto import SecretBox
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from tests.conftest import TestDatabase


def a_contact(db: TestDatabase, first: str = "Ann", last: str = "Lee", email: str = "ann@mailbox.org") -> int:
    with session_scope(db.sessions) as session:
        data = ContactCreate(
            first_name=first, last_name=last, emails=[EmailIn(address=email)] if email else []
        )
        return create_contact(session, data, "test").id


def a_group(db: TestDatabase, name: str = "Volunteers") -> int:
    with session_scope(db.sessions) as session:
        return create_group(session, name, actor="test").id


def a_stored_integration(session: Session, settings: Settings) -> MailchimpIntegration:
    """An integration row as connecting stores it (no audience behind it: for pages that only read)."""
    box = SecretBox.from_settings(settings)
    integration = MailchimpIntegration(
        name="Parks",
        auth_kind=AuthKind.api_key,
        secret_encrypted=box.encrypt("key-us1"),
        dc="us1",
        api_base=settings.mailchimp_api_base or "",
        audience_id="a1b2c3",
        audience_name="Parks newsletter",
        webhook_secret_encrypted=box.encrypt("secret"),
    )
    session.add(integration)
    session.flush()
    return integration


def an_audience_holding_as_unsubscribed(
    db: TestDatabase, settings: Settings, group_id: int, contact_id: int
) -> None:
    """An integration whose audience is fed by the group, and whose ledger says Mailchimp holds the
    contact's address as unsubscribed (what a sync records after a person unsubscribes)."""
    with session_scope(db.sessions) as session:
        integration = a_stored_integration(session, settings)
        session.add(
            MailchimpSource(
                integration_id=integration.id,
                kind=SourceKind.group,
                group_id=group_id,
                target=SourceTarget.tag,
            )
        )
        email = get_contact(session, contact_id).emails[0].address
        session.add(
            LedgerRow(
                integration_id=integration.id,
                subscriber_hash=subscriber_hash(email),
                email=email,
                contact_id=contact_id,
                status=RemoteStatus.unsubscribed,
                tags=[],
            )
        )
