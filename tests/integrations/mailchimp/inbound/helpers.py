"""Reading what inbound events did: a contact's groups, activities, emails, change log, ledger row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from constituent.crm.activities.changelog import changes_for_contact
from constituent.crm.activities.service import list_activities
from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.models import Contact, Email
from constituent.crm.groups import repository as group_repository
from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.crm.groups.schemas import ContactGroups
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.sync.sync_helpers import add_people


def joined(live: Live, *emails: str, group: str = "Members") -> list[int]:
    """New eligible people, current members of ``group``."""
    ids = add_people(live.product, *emails)
    with session_scope(live.product.db.sessions) as session:
        group_id = group_repository.by_name(session, group)
        assert group_id is not None
        groups.add_to_group(session, group_id.id, ids, method=MembershipMethod.user, actor="test")
    return ids


def memberships(live: Live, contact_id: int) -> ContactGroups:
    with live.product.db.sessions() as session:
        return groups.contact_groups(session, contact_id)


def activity_subjects(live: Live, contact_id: int) -> list[str]:
    with live.product.db.sessions() as session:
        rows, _total = list_activities(session, contact_id, limit=100)
        return [row.subject for row in rows]


def contact(live: Live, contact_id: int) -> Contact:
    with live.product.db.sessions() as session:
        found = session.get(Contact, contact_id)
        assert found is not None
        _ = found.emails  # loaded while the session is open
        return found


def contacts_with_email(live: Live, email: str) -> list[Contact]:
    with live.product.db.sessions() as session:
        query = select(Contact).join(Email, Email.contact_id == Contact.id)
        found = list(session.scalars(query.where(Email.address_normalized == email.lower())))
        for row in found:
            _ = row.emails
        return found


def changes(live: Live, contact_id: int) -> list[tuple[str, str, Any, Any]]:
    with live.product.db.sessions() as session:
        return [
            (c.changed_by, c.field, c.old_value, c.new_value)
            for c in changes_for_contact(session, contact_id)
        ]


def ledger_row(live: Live, email: str) -> LedgerRow | None:
    with live.product.db.sessions() as session:
        return session.scalar(
            select(LedgerRow).where(
                LedgerRow.integration_id == live.integration_id,
                LedgerRow.subscriber_hash == subscriber_hash(email),
            )
        )
