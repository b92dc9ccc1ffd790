"""Adding contacts to a group that feeds an audience: the database takes them, but where Mailchimp holds
one of them as unsubscribed, cleaned or forgotten we say so at once (as users know from the donor seed:
"There was a problem trying to subscribe this contact at Mailchimp ...", while the contact IS added)."""

from __future__ import annotations

from collections.abc import Collection

from pydantic import BaseModel
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp import repository
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.planner import is_held, refusal_message


class MailchimpRefusal(BaseModel):
    contact_id: int
    integration_id: int
    audience_name: str
    email: str
    message: str


def refusals_for_group(
    session: Session, group_id: int, contact_ids: Collection[int]
) -> list[MailchimpRefusal]:
    """The contacts among ``contact_ids`` that an audience fed by ``group_id`` will not take back."""
    refusals: list[MailchimpRefusal] = []
    for integration in repository.list_all(session):
        if not contact_ids or not any(s.enabled and s.group_id == group_id for s in integration.sources):
            continue
        for entry in ledger.load_by_contacts(session, integration.id, contact_ids).values():
            if entry.contact_id is not None and is_held(entry):
                refusals.append(
                    MailchimpRefusal(
                        contact_id=entry.contact_id,
                        integration_id=integration.id,
                        audience_name=integration.audience_name,
                        email=entry.email,
                        message=f"Mailchimp will not add {entry.email} to {integration.audience_name!r}: "
                        f"{refusal_message(entry)}",
                    )
                )
    return sorted(refusals, key=lambda r: (r.contact_id, r.integration_id))
