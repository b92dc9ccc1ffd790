"""A contact's Mailchimp panel: per connected audience, the member's status in plain words, our tags, the
last sync, the last problem, and "Ask Mailchimp to re-confirm" where Mailchimp holds them unsubscribed.

The contact profile includes the panel (``mailchimp_panels`` in its context); it is also served alone at
``/contacts/{id}/mailchimp`` for any page that wants to load it with htmx.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from constituent.crm.contacts.service import get_contact
from constituent.integrations.mailchimp.sync.contact_status import (
    MailchimpStatus,
    mailchimp_status_for_contact,
)
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, UserDep
from constituent.web.pages.rendering import render

router = APIRouter(dependencies=PROTECTED)

STATUS_WORDS = {
    "subscribed": "Subscribed: receives this audience's emails.",
    "unsubscribed": "Unsubscribed: they asked Mailchimp to stop sending them this audience's emails.",
    "cleaned": "Cleaned: the address bounced, so Mailchimp no longer sends to it.",
    "pending": "Pending: Mailchimp has emailed them a link to confirm their subscription.",
    "transactional": "Transactional: receives only one-to-one emails, no campaigns.",
    "archived": "Archived: kept in Mailchimp's history and not sent to.",
    "forgotten": "Permanently deleted in Mailchimp: it will not take this address again.",
}
NOT_A_MEMBER = "Not in this audience: not synced yet, or not eligible (see the user guide)."


@dataclass(frozen=True, slots=True)
class MailchimpPanel:
    status: MailchimpStatus
    words: str
    can_reconfirm: bool


def may_reconfirm(status: MailchimpStatus) -> bool:
    """Re-confirmation is for a person Mailchimp holds unsubscribed (or refused in its compliance state):
    Mailchimp emails them an opt-in link. A bounced or deleted address cannot be asked."""
    if status.status == "unsubscribed":
        return True
    return status.status not in {"cleaned", "forgotten"} and "compliance state" in status.problem.lower()


def mailchimp_panels(session: Session, contact_id: int) -> list[MailchimpPanel]:
    """One panel per connected audience (none when Mailchimp is not connected)."""
    return [
        MailchimpPanel(
            status=status,
            words=STATUS_WORDS.get(status.status or "", NOT_A_MEMBER),
            can_reconfirm=may_reconfirm(status),
        )
        for status in mailchimp_status_for_contact(session, contact_id)
    ]


@router.get("/contacts/{contact_id:int}/mailchimp", response_class=HTMLResponse)
def panel(contact_id: int, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    """The panel alone (an htmx fragment)."""
    context = {
        "contact": get_contact(session, contact_id),
        "mailchimp_panels": mailchimp_panels(session, contact_id),
    }
    return render(request, "contacts/_mailchimp_panel.html", context, user=user)
