"""Events that change whether Mailchimp emails someone: unsubscribe, cleaned, subscribe (signup forms)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.models import ContactKind, EmailStatus
from constituent.crm.contacts.schemas import ContactCreate, EmailIn
from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.integrations.mailchimp.inbound import members, repository
from constituent.integrations.mailchimp.inbound.events import InboundEvent
from constituent.integrations.mailchimp.inbound.members import ACTOR, audience_label, note
from constituent.integrations.mailchimp.models import MailchimpIntegration, SyncMode
from constituent.integrations.mailchimp.reconfirm_rule import spam_refusal
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.types import RemoteStatus, hand_archived

SIGNUP_SOURCE = "Mailchimp signup"


def unsubscribe(session: Session, integration: MailchimpIntegration, event: InboundEvent) -> str:
    """Ledger unsubscribed; in groups mode out of every group feeding the audience (a past group,
    "Removed (by API)"); never do-not-email, since the person left this audience, not all email."""
    audience = audience_label(integration)
    member = members.find_member(session, integration, event.email)
    if event.action == "delete":
        return _deleted_there(session, integration, event, member)
    # A spam complaint is recorded as such: nobody is ever asked to re-confirm after it (reconfirm_rule).
    refused = spam_refusal(audience) if event.reason == "abuse" else f"Unsubscribed from {audience}"
    members.set_status(session, integration, member, RemoteStatus.unsubscribed, event, refused=refused)
    subject = f"Unsubscribed from Mailchimp audience {audience}"
    removed = 0
    if integration.mode is SyncMode.groups and member.contact_ids:
        for group_id in members.membership_group_ids(integration):
            result = groups.remove_from_group(
                session,
                group_id,
                member.contact_ids,
                method=MembershipMethod.api,
                actor=ACTOR,
                reason=subject,
            )
            removed += len(result.removed)
    details = {"reason": event.reason, "campaign_id": event.campaign_id, "source": event.source}
    for contact_id in member.contact_ids:
        note(session, integration, event, contact_id, subject, details)
    return f"unsubscribed ({len(member.contact_ids)} contacts, {removed} memberships ended)"


def _deleted_there(
    session: Session, integration: MailchimpIntegration, event: InboundEvent, member: members.Member
) -> str:
    """Someone deleted (archived) the member in Mailchimp: we leave it archived; the person did not
    unsubscribe, so their groups stay as they are."""
    before = ledger.entry_of(member.row) if member.row is not None else None
    members.set_status(session, integration, member, RemoteStatus.archived, event)
    if member.row is not None:
        member.row.archived_by_us = False
        member.row.archived_by_hand = hand_archived(before, RemoteStatus.archived)
    subject = f"Deleted from Mailchimp audience {audience_label(integration)} (in Mailchimp)"
    for contact_id in member.contact_ids:
        note(session, integration, event, contact_id, subject, {"action": event.action})
    return f"archived there ({len(member.contact_ids)} contacts)"


def cleaned(session: Session, integration: MailchimpIntegration, event: InboundEvent) -> str:
    """Ledger cleaned; a hard bounce marks the address bounced, a spam complaint is noted."""
    audience = audience_label(integration)
    member = members.find_member(session, integration, event.email)
    hard = event.reason != "abuse"
    refused = "" if hard else spam_refusal(audience)
    members.set_status(session, integration, member, RemoteStatus.cleaned, event, refused=refused)
    if hard:
        for email in repository.emails_with_address(session, event.email):
            if email.status is not EmailStatus.bounced:
                contacts.update_email(session, email.id, status=EmailStatus.bounced, actor=ACTOR)
    subject = (
        f"Email bounced: cleaned from Mailchimp audience {audience}"
        if hard
        else f"Spam complaint: cleaned from Mailchimp audience {audience}"
    )
    for contact_id in member.contact_ids:
        note(session, integration, event, contact_id, subject, {"reason": event.reason or "hard"})
    return f"cleaned ({event.reason or 'hard'}, {len(member.contact_ids)} contacts)"


def subscribe(session: Session, integration: MailchimpIntegration, event: InboundEvent) -> str:
    """Someone joined through a Mailchimp form: matched by address, else a new individual."""
    member = members.find_member(session, integration, event.email)
    created = not member.contact_ids
    if created:
        contact = contacts.create_contact(session, _signup_contact(event), ACTOR)
        member.contact_ids.append(contact.id)
    row = members.set_status(session, integration, member, RemoteStatus.subscribed, event)
    # The person's own subscription: never ours to archive. The next sync that wants the member records
    # its contact again (the planner's owner change); until then a contact that does not qualify (e.g.
    # do-not-email) leaves it alone.
    row.contact_id = None
    row.last_contact_id = None
    joined = _join_membership_group(session, integration, member.contact_ids[0])
    audience = audience_label(integration)
    for contact_id in member.contact_ids:
        note(session, integration, event, contact_id, f"Signed up to Mailchimp audience {audience}")
    return ("created contact" if created else "matched contact") + joined


def _signup_contact(event: InboundEvent) -> ContactCreate:
    return ContactCreate(
        kind=ContactKind.individual,
        first_name=event.merges.get("FNAME", "").strip()[:100],
        last_name=event.merges.get("LNAME", "").strip()[:100],
        source=SIGNUP_SOURCE,
        emails=[EmailIn(address=event.email, is_primary=True)],
    )


def _join_membership_group(session: Session, integration: MailchimpIntegration, contact_id: int) -> str:
    """Groups mode: into the audience's first membership group (by mapping order), unless already in one."""
    group_ids = members.membership_group_ids(integration)
    if integration.mode is not SyncMode.groups or not group_ids:
        return ""
    current = {view.group_id for view in groups.contact_groups(session, contact_id).current}
    if current & set(group_ids):
        return ", already in a membership group"
    groups.add_to_group(session, group_ids[0], [contact_id], method=MembershipMethod.api, actor=ACTOR)
    chosen = "" if len(group_ids) == 1 else f" (first of {len(group_ids)} membership groups)"
    return f", added to group {group_ids[0]}{chosen}"
