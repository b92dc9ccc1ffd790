"""Events about who someone is: a changed address (upemail) and names typed into Mailchimp (profile)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.schemas import ContactUpdate
from constituent.integrations.mailchimp.inbound import interest_choices, members, repository
from constituent.integrations.mailchimp.inbound.events import InboundEvent
from constituent.integrations.mailchimp.inbound.members import ACTOR, note
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync import ledger
from constituent.kit.clock import utcnow

# Merge tags the subscriber can type on Mailchimp's profile form, and the contact fields they mean.
NAME_FIELDS = {"FNAME": ("first_name", "first name"), "LNAME": ("last_name", "last name")}


MAX_CHAIN = 20  # renames followed in one go (a→b, b→c, …): more is a loop, not a person


def upemail(session: Session, integration: MailchimpIntegration, event: InboundEvent) -> str:
    """The matching email becomes the new address (change log by "Mailchimp"); the ledger is re-keyed.

    Ordered by ``fired_at``: when a newer upemail already moved the new address on (b→c applied before
    this a→b, deliveries are not ordered), the chain is followed to its end, so the contact ends where
    Mailchimp holds the member.
    """
    changed = 0
    for _ in range(MAX_CHAIN):
        changed += _move(session, integration, event)
        repository.record_rename(
            session, integration.id, subscriber_hash(event.email), event.new_email, event.fired_at
        )
        onward = repository.renamed_after(
            session, integration.id, subscriber_hash(event.new_email), event.fired_at
        )
        if not onward:
            break
        event = replace(event, email=event.new_email, new_email=onward)
    return f"email changed on {changed} contacts"


def _move(session: Session, integration: MailchimpIntegration, event: InboundEvent) -> int:
    changed = 0
    for email in repository.emails_with_address(session, event.email):
        taken = repository.emails_with_address(session, event.new_email)
        if any(other.contact_id == email.contact_id for other in taken):
            continue  # the contact already has the new address; keep both rather than merge them
        contacts.update_email(session, email.id, address=event.new_email, actor=ACTOR)
        changed += 1
    _rekey(session, integration, event)
    return changed


def _rekey(session: Session, integration: MailchimpIntegration, event: InboundEvent) -> None:
    new_email = event.new_email.strip()
    ledger.rekey(
        session,
        integration.id,
        subscriber_hash(event.email),
        new_email,
        subscriber_hash(event.new_email),
        event.fired_at,
    )


def _overwrite_on_next_sync(session: Session, member: members.Member) -> None:
    """The database is the source of truth: forget that Mailchimp held what we wrote, and make the
    contact a candidate of the next incremental sync, which then writes our values back."""
    if member.row is not None:
        member.row.fingerprint = ""
    repository.touch_emails(session, member.email, utcnow())


def profile(session: Session, integration: MailchimpIntegration, event: InboundEvent) -> str:
    """Name changes are noted; the database stays the source of truth unless the integration accepts them."""
    member = members.find_member(session, integration, event.email)
    if member.owner is None:
        return "no contact"
    choices = interest_choices.follow_choices(session, integration, event, member)
    names = _names(session, integration, event, member)
    return "; ".join([names, *choices])


def _names(
    session: Session, integration: MailchimpIntegration, event: InboundEvent, member: members.Member
) -> str:
    assert member.owner is not None
    contact = contacts.get_contact(session, member.owner)
    changes = {
        field: event.merges[tag].strip()[:100]
        for tag, (field, _) in NAME_FIELDS.items()
        if tag in event.merges and event.merges[tag].strip()[:100] != getattr(contact, field)
    }
    if not changes:
        return "no name change"
    words = "; ".join(
        f"{label} {getattr(contact, field)!r} → {changes[field]!r}"
        for field, label in NAME_FIELDS.values()
        if field in changes
    )
    accepted = integration.accept_profile_changes
    subject = f"Changed their profile in Mailchimp: {words}" + ("" if accepted else " (not applied)")
    note(session, integration, event, contact.id, subject, {"changes": changes, "applied": accepted})
    if accepted:
        contacts.update_contact(session, contact.id, ContactUpdate(**changes), ACTOR)
    else:
        _overwrite_on_next_sync(session, member)
    return "profile applied" if accepted else "profile noted"
