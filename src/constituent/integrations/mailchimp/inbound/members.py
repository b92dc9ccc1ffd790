"""What inbound events read and write about one member: its contacts, its ledger row, its activities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.activities.service import record_activity
from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.inbound import repository
from constituent.integrations.mailchimp.inbound.events import InboundEvent
from constituent.integrations.mailchimp.models import MailchimpIntegration, SourceKind, SourceTarget
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.types import RemoteStatus

ACTOR = "Mailchimp"
ACTIVITY_SOURCE = "Mailchimp"


def audience_label(integration: MailchimpIntegration) -> str:
    return integration.audience_name or integration.audience_id


def membership_group_ids(integration: MailchimpIntegration) -> list[int]:
    """The groups that decide who is in this audience (groups mode), in the order they were mapped."""
    return [
        source.group_id
        for source in integration.sources
        if source.enabled
        and source.kind is SourceKind.group
        and source.target is SourceTarget.membership
        and source.group_id is not None
    ]


@dataclass
class Member:
    """One address of the audience: the contacts holding it (the ledger's owner first) and its row."""

    email: str
    hash: str
    contact_ids: list[int]
    row: LedgerRow | None

    @property
    def owner(self) -> int | None:
        return self.contact_ids[0] if self.contact_ids else None


def find_member(session: Session, integration: MailchimpIntegration, email: str) -> Member:
    member_hash = subscriber_hash(email)
    row = repository.ledger_row(session, integration.id, member_hash)
    ids = list(dict.fromkeys(e.contact_id for e in repository.emails_with_address(session, email)))
    if row is not None and row.contact_id in ids:
        ids.remove(row.contact_id)
        ids.insert(0, row.contact_id)
    return Member(email=email.strip(), hash=member_hash, contact_ids=ids, row=row)


def set_status(
    session: Session,
    integration: MailchimpIntegration,
    member: Member,
    status: RemoteStatus,
    event: InboundEvent,
    *,
    refused: str = "",
) -> LedgerRow:
    """Write what Mailchimp now holds for the member (creating its ledger row if we never saw it)."""
    row = member.row
    if row is None:
        row = LedgerRow(
            integration_id=integration.id,
            subscriber_hash=member.hash,
            email=member.email,
            contact_id=member.owner,
            status=status,
            refused=refused,
            last_changed=event.fired_at,
        )
        member.row = repository.add_ledger_row(session, row)
        return row
    row.status = status
    row.refused = refused
    # Mailchimp's own news: whatever the member was archived as, it is no longer "archived by us" (an
    # unsubscribe landing after our archive must never be re-added as ours).
    row.archived_by_us = False
    row.intent = ""  # Mailchimp has told us what it holds: no write of ours is pending any more
    if row.contact_id is None:
        row.contact_id = member.owner
    if row.last_changed is None or row.last_changed < event.fired_at:
        row.last_changed = event.fired_at
    return row


def note(
    session: Session,
    integration: MailchimpIntegration,
    event: InboundEvent,
    contact_id: int,
    subject: str,
    details: dict[str, Any] | None = None,
) -> None:
    """One activity per contact and event: a retried delivery finds the same key and adds nothing."""
    key = f"mc:{integration.id}:{event.type.value}:{subscriber_hash(event.email)}:{_stamp(event.fired_at)}"
    record_activity(
        session,
        contact_id,
        type=f"mailchimp_{event.type.value}",
        subject=subject[:300],
        occurred_at=event.fired_at,
        source=ACTIVITY_SOURCE,
        details={"integration_id": integration.id, "audience_id": integration.audience_id, **(details or {})},
        dedupe_key=f"{key}:{contact_id}",
    )


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")
