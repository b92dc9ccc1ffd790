""" "Ask Mailchimp to re-confirm": the one place we send a status for a member that already exists.

A person who unsubscribed themselves, or whom Mailchimp holds in a compliance state, can only come back
by confirming again. Setting the member to ``pending`` makes Mailchimp email them an opt-in link. It is
only ever done on an explicit request for one contact (a button, an API call, a CLI command), never by
a sync.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.service import get_contact
from constituent.crm.errors import Conflict
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.credentials import credentials_for
from constituent.integrations.mailchimp.inbound.members import audience_label
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.reconfirm_rule import may_reconfirm, reported_spam
from constituent.integrations.mailchimp.responses import Member, parse_timestamp
from constituent.integrations.mailchimp.service import get_integration
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.crypto import SecretBox


class ReconfirmResult(BaseModel):
    contact_id: int
    integration_id: int
    email: str
    status: str  # what Mailchimp now holds: "pending" until the person clicks the link
    message: str


def held_row(session: Session, integration: MailchimpIntegration, contact_id: int) -> LedgerRow:
    """The contact's member that Mailchimp holds in a compliance state, or Conflict saying why not."""
    contact = get_contact(session, contact_id)
    rows = [ledger.row_of(session, integration.id, subscriber_hash(e.address)) for e in contact.emails]
    for row in rows:
        if row is not None and may_reconfirm(row.status, row.refused):
            return row
    if any(row is not None and reported_spam(row.refused) for row in rows):
        raise Conflict(
            f"contact {contact_id} reported a campaign of the audience {audience_label(integration)!r} as "
            "spam; they are never asked to re-confirm"
        )
    raise Conflict(
        f"contact {contact_id} is not unsubscribed or held for compliance in the audience "
        f"{audience_label(integration)!r}; there is nothing to re-confirm"
    )


async def ask_to_reconfirm(
    session: Session, client: MailchimpClient, integration: MailchimpIntegration, contact_id: int
) -> ReconfirmResult:
    """PUT the member to ``pending`` (Mailchimp sends the confirmation email) and note it in the ledger."""
    row = held_row(session, integration, contact_id)
    path = f"/lists/{integration.audience_id}/members/{row.subscriber_hash}"
    body = {"email_address": row.email, "status_if_new": "pending", "status": "pending"}
    member = await client.send_model("PUT", path, Member, body)
    row.status = RemoteStatus(member.status)
    row.refused = ""
    row.last_changed = parse_timestamp(member.last_changed) or row.last_changed
    return ReconfirmResult(
        contact_id=contact_id,
        integration_id=integration.id,
        email=row.email,
        status=member.status,
        message=f"Mailchimp is emailing {row.email} a link to confirm their subscription to "
        f"{audience_label(integration)!r}.",
    )


async def reconfirm_contact(
    session: Session, box: SecretBox, integration_id: int, contact_id: int
) -> ReconfirmResult:
    """What the button, the API and the CLI call: checks first, so a refused request costs no API call."""
    integration = get_integration(session, integration_id)
    held_row(session, integration, contact_id)
    async with MailchimpClient(credentials_for(integration, box)) as client:
        return await ask_to_reconfirm(session, client, integration, contact_id)
