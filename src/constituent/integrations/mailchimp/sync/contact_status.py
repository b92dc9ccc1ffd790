"""A contact's standing in each connected audience, in plain words (the contact page's Mailchimp panel)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.service import get_contact
from constituent.integrations.mailchimp import repository
from constituent.integrations.mailchimp.reconfirm_rule import may_reconfirm
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.planner import is_held, refusal_message
from constituent.integrations.mailchimp.sync.types import RemoteStatus


class MailchimpStatus(BaseModel):
    integration_id: int
    integration_name: str
    audience_name: str
    email: str | None  # the address Mailchimp holds for the contact; None: not in the audience
    status: str | None  # subscribed, unsubscribed, cleaned, pending, archived, forgotten, …
    tags: list[str]  # our tags on the member (tags made in Mailchimp are not ours to list)
    last_synced_at: datetime | None
    problem: str  # Mailchimp's refusal or the last error, as a sentence; "" when all is well
    can_reconfirm: bool = False  # Mailchimp holds them where only a re-confirmation brings them back
    # The contact's other addresses that left this audience (e.g. after a merge): nothing re-subscribes them.
    unsubscribed_elsewhere: list[str] = []


def mailchimp_status_for_contact(session: Session, contact_id: int) -> list[MailchimpStatus]:
    contact = get_contact(session, contact_id)
    hashes = {subscriber_hash(email.address) for email in contact.emails}
    rows = ledger.rows_for_contact(session, contact_id, hashes)
    primary = subscriber_hash(contact.primary_email.address) if contact.primary_email else None
    statuses = []
    for integration in repository.list_all(session):
        mine = [row for row in rows if row.integration_id == integration.id]
        row = _best(mine, contact_id, primary)
        statuses.append(
            MailchimpStatus(
                integration_id=integration.id,
                integration_name=integration.name,
                audience_name=integration.audience_name,
                email=row.email if row else None,
                status=row.status.value if row else None,
                tags=sorted(row.tags or []) if row else [],
                last_synced_at=row.last_synced_at if row else None,
                problem=_problem(row) if row else "",
                can_reconfirm=row is not None and may_reconfirm(row.status, row.refused),
                unsubscribed_elsewhere=[r.email for r in mine if r is not row and r.status in _LEFT],
            )
        )
    return statuses


_LEFT = (RemoteStatus.unsubscribed, RemoteStatus.cleaned)


def _best(rows: list[LedgerRow], contact_id: int, primary: str | None) -> LedgerRow | None:
    """The member the contact owns if any (an old address may linger archived), its primary address's
    first, then the live one."""
    return min(
        rows,
        key=lambda r: (
            r.contact_id != contact_id,
            r.subscriber_hash != primary,
            r.status is RemoteStatus.archived,
            -r.id,
        ),
        default=None,
    )


def _problem(row: LedgerRow) -> str:
    entry = ledger.entry_of(row)
    if is_held(entry):
        return refusal_message(entry)
    return row.last_error
