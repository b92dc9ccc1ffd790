"""A contact's Mailchimp panel: per connected audience, the member's status in plain words, our tags, the
last sync, the last problem, and "Ask Mailchimp to re-confirm" where Mailchimp holds them unsubscribed.

The contact profile includes the panel (``mailchimp_panels`` in its context); it is also served alone at
``/contacts/{id}/mailchimp`` for any page that wants to load it with htmx.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from constituent.crm.contacts.service import get_contact
from constituent.crm.errors import Conflict
from constituent.integrations.mailchimp.errors import MailchimpError
from constituent.integrations.mailchimp.inbound.reconfirm import reconfirm_contact
from constituent.integrations.mailchimp.sync.contact_status import (
    MailchimpStatus,
    mailchimp_status_for_contact,
)
from constituent.kit.crypto import SecretBox
from constituent.kit.numbers import DbInt
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, SettingsDep, UserDep
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)

STATUS_WORDS = {
    "subscribed": "Subscribed: receives this audience's emails.",
    "unsubscribed": "Unsubscribed: they asked Mailchimp to stop sending them this audience's emails.",
    "cleaned": "Cleaned: the address bounced, so Mailchimp no longer sends to it.",
    "pending": "Pending: Mailchimp has emailed them a link to confirm their subscription.",
    "transactional": "Transactional: receives only one-to-one emails, no campaigns.",
    "archived": "Archived: kept in Mailchimp's history and not sent to.",
    # Permanently deleted there, or an address Mailchimp refused outright ("looks fake"): the problem says.
    "forgotten": "Not in this audience: Mailchimp will not take this address (see the last problem).",
}
NOT_A_MEMBER = "Not in this audience: not synced yet, or not eligible (see the user guide)."


@dataclass(frozen=True, slots=True)
class MailchimpPanel:
    status: MailchimpStatus
    words: str
    can_reconfirm: bool


def mailchimp_panels(session: Session, contact_id: DbInt) -> list[MailchimpPanel]:
    """One panel per connected audience (none when Mailchimp is not connected)."""
    return [
        MailchimpPanel(
            status=status,
            words=STATUS_WORDS.get(status.status or "", NOT_A_MEMBER),
            can_reconfirm=status.can_reconfirm,
        )
        for status in mailchimp_status_for_contact(session, contact_id)
    ]


@router.get("/contacts/{contact_id:int}/mailchimp", response_class=HTMLResponse)
def panel(contact_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    """The panel alone (an htmx fragment)."""
    context = {
        "contact": get_contact(session, contact_id),
        "mailchimp_panels": mailchimp_panels(session, contact_id),
    }
    return render(request, "contacts/_mailchimp_panel.html", context, user=user)


@router.post("/contacts/{contact_id:int}/mailchimp/{integration_id:int}/reconfirm")
def reconfirm(
    contact_id: DbInt,
    integration_id: DbInt,
    request: Request,
    _user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
) -> RedirectResponse:
    """Ask Mailchimp to email the person an opt-in link (only ever on request: this button, API, CLI)."""
    box = SecretBox.from_settings(settings)
    try:
        result = asyncio.run(reconfirm_contact(session, box, integration_id, contact_id))
        flash(request, "success", result.message)
    except Conflict as exc:
        session.rollback()
        flash(request, "error", str(exc))
    except MailchimpError as exc:
        session.rollback()
        flash(request, "error", f"Mailchimp did not accept the request: {exc.describe()}")
    return RedirectResponse(f"/contacts/{contact_id}#mailchimp", status_code=303)
