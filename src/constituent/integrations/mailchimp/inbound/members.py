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
from constituent.integrations.mailchimp.sync import ledger
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
    row = ledger.row_of(session, integration.id, member_hash)
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
    held = ledger.HeldStatus(member.hash, member.email, member.owner, status, refused, event.fired_at)
    member.row = ledger.record_status(session, integration.id, member.row, held)
    return member.row


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
