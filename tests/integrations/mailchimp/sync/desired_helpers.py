"""Building integrations and sources for the desired-state tests, straight from the models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.crm.groups.models import Group
from constituent.crm.searches.models import SavedSearch
from constituent.integrations.mailchimp.models import (
    AuthKind,
    MailchimpIntegration,
    MailchimpSource,
    SourceKind,
    SourceTarget,
)
from constituent.integrations.mailchimp.sync.desired import DesiredResult
from constituent.integrations.mailchimp.sync.types import DesiredMember
from tests.crm.searches.helpers import add_contact, add_email, at


def add_integration(session: Session, **fields: Any) -> MailchimpIntegration:
    fields.setdefault("created_at", at("2026-03-01"))
    integration = MailchimpIntegration(
        name="Supporters",
        auth_kind=AuthKind.api_key,
        dc="us1",
        api_base="http://127.0.0.1:9/3.0",
        audience_id="aud1",
        webhook_secret_encrypted="x",
        **fields,
    )
    session.add(integration)
    session.flush()
    return integration


def add_source(
    session: Session,
    integration: MailchimpIntegration,
    thing: Group | SavedSearch,
    target: SourceTarget,
    **fields: Any,
) -> MailchimpSource:
    is_group = isinstance(thing, Group)
    source = MailchimpSource(
        kind=SourceKind.group if is_group else SourceKind.saved_search,
        group_id=thing.id if is_group else None,
        saved_search_id=None if is_group else thing.id,
        target=target,
        **fields,
    )
    integration.sources.append(source)
    session.flush()
    return source


def add_person(session: Session, email: str | None, **fields: Any) -> Contact:
    """An eligible individual (unless ``fields`` say otherwise) with ``email`` as primary address."""
    fields.setdefault("first_name", "Ada")
    fields.setdefault("created_at", "2026-01-10")
    fields.setdefault("updated_at", fields["created_at"])
    contact = add_contact(session, **fields)
    if email is not None:
        # Stamped with the contact, so only what a test changes later counts as changed.
        add_email(session, contact, email, primary=True).updated_at = contact.updated_at
        session.flush()
    return contact


def add_search(
    session: Session, name: str, raw_filter: dict[str, object], *, stamped: datetime | None = None
) -> SavedSearch:
    """A saved search; ``stamped`` dates its creation (and last edit), now by default."""
    search = SavedSearch(name=name, filter=raw_filter)
    if stamped is not None:
        search.created_at = search.updated_at = stamped
    session.add(search)
    session.flush()
    return search


def member_of(result: DesiredResult, contact: Contact) -> DesiredMember:
    return next(m for m in result.members.values() if contact.id in m.contact_ids)


def owners(result: DesiredResult) -> set[int]:
    return {member.owner_contact_id for member in result.members.values()}
