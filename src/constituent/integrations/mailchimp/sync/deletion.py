"""What deleting a contact will do in each connected audience, said before the contact is gone.

The sync archives the member at its next run (the ledger keeps ``last_contact_id``); this module only
tells the person deleting what to expect, from the same facts the planner will use.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel
from sqlalchemy.orm import Session

from constituent.crm.contacts import repository as contacts_repository
from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.service import get_contact
from constituent.integrations.mailchimp import repository
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.types import RemoteStatus


class DeletionOutcome(enum.StrEnum):
    archive = "archive"  # the next sync archives the member (history kept in Mailchimp)
    kept = "kept"  # another contact shares the address: the member stays, with that contact's details
    unchanged = "unchanged"  # unsubscribed, cleaned, archived, pending...: nothing is sent


class DeletionEffect(BaseModel):
    integration_id: int
    audience_name: str
    email: str
    outcome: DeletionOutcome
    message: str


def effects_of_deleting(session: Session, contact_id: int) -> list[DeletionEffect]:
    """One effect per member of an audience that this contact's data feeds."""
    contact = get_contact(session, contact_id)
    hashes = {subscriber_hash(email.address) for email in contact.emails}
    rows = [
        row for row in ledger.rows_for_contact(session, contact_id, hashes) if row.contact_id == contact_id
    ]
    names = {integration.id: integration.audience_name for integration in repository.list_all(session)}
    return [_effect(session, row, contact_id, names.get(row.integration_id, "")) for row in rows]


def _effect(session: Session, row: LedgerRow, contact_id: int, audience: str) -> DeletionEffect:
    outcome, message = _outcome(session, row, contact_id, audience)
    return DeletionEffect(
        integration_id=row.integration_id,
        audience_name=audience,
        email=row.email,
        outcome=outcome,
        message=message,
    )


def _outcome(session: Session, row: LedgerRow, contact_id: int, audience: str) -> tuple[DeletionOutcome, str]:
    others = contacts_repository.other_contacts_with_address(session, row.email.strip().lower(), contact_id)
    if others:
        return DeletionOutcome.kept, (
            f"{row.email} stays in the Mailchimp audience {audience}: another contact has the same address, "
            "and the next sync gives the member that contact's details"
        )
    if row.status is RemoteStatus.subscribed and not row.refused:
        return DeletionOutcome.archive, (
            f"{row.email} will be archived in the Mailchimp audience {audience} at the next sync "
            "(archived, not deleted: Mailchimp keeps its history)"
        )
    return DeletionOutcome.unchanged, (
        f"{row.email} is {row.status.value} in the Mailchimp audience {audience}; nothing is sent there"
    )
