"""Contacts and their emails: the rules (one primary email, who needs a name) and the change log.

Services never commit; the caller's boundary does.
"""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import Session

from constituent.crm.activities import changelog
from constituent.crm.activities.changelog import Change
from constituent.crm.contacts import repository
from constituent.crm.contacts.emails import InvalidEmail, NormalisedEmail, normalise_email
from constituent.crm.contacts.listing import ContactListing
from constituent.crm.contacts.models import Contact, ContactKind, Email, EmailStatus
from constituent.crm.contacts.schemas import ContactCreate, ContactUpdate, EmailIn
from constituent.crm.errors import Conflict, DuplicateEmail, InvalidInput, NotFound


def identity_problem(
    kind: ContactKind, first_name: str, last_name: str, organization_name: str, has_email: bool
) -> InvalidInput | None:
    """Why a contact could not be told apart from others, or None; shared with the CSV importer."""
    if kind == ContactKind.individual and not (first_name or last_name or has_email):
        return InvalidInput("first_name", "an individual needs a first name, a last name or an email")
    if kind != ContactKind.individual and not organization_name:
        article = "an" if kind == ContactKind.organization else "a"
        return InvalidInput("organization_name", f"{article} {kind.value} needs an organization name")
    return None


def validated_email(address: str, field: str) -> NormalisedEmail:
    try:
        return normalise_email(address)
    except InvalidEmail as exc:
        raise InvalidInput(field, str(exc)) from exc


def _new_emails(emails: list[EmailIn]) -> list[Email]:
    if sum(e.is_primary for e in emails) > 1:
        raise InvalidInput("emails", "only one email can be primary")
    seen: set[str] = set()
    result = []
    for index, given in enumerate(emails):
        email = validated_email(given.address, f"emails[{index}].address")
        if email.normalized in seen:
            raise InvalidInput(f"emails[{index}].address", f"{email.address} is listed twice")
        seen.add(email.normalized)
        result.append(_email_row(email, is_primary=given.is_primary, status=given.status))
    if result and not any(e.is_primary for e in result):
        result[0].is_primary = True
    return result


def _email_row(email: NormalisedEmail, *, is_primary: bool, status: EmailStatus) -> Email:
    return Email(
        address=email.address,
        address_normalized=email.normalized,
        domain=email.domain,
        is_primary=is_primary,
        status=status,
    )


def _clean_external_id(session: Session, external_id: str | None, contact_id: int | None) -> str | None:
    if not external_id:
        return None
    owner = repository.id_for_external_id(session, external_id)
    if owner is not None and owner != contact_id:
        raise Conflict(f"external_id {external_id!r} already belongs to contact {owner}")
    return external_id


def refuse_held_emails(session: Session, emails: list[Email], contact_id: int | None = None) -> None:
    """DuplicateEmail when another contact already holds one of ``emails`` (compared lower-cased).

    The one rule for people's boundaries (page, REST) creating a contact, adding an email or changing
    one; imports and Mailchimp's own changes match or follow people themselves and do not ask it."""
    for email in emails:
        _refuse_held(session, email.address, email.address_normalized, contact_id)


def _refuse_held(session: Session, address: str, normalized: str, contact_id: int | None) -> None:
    holder = repository.holder_of_email(session, normalized, contact_id)
    if holder is not None:
        raise DuplicateEmail(address, holder.id, holder.display_name)


def create_contact(
    session: Session, data: ContactCreate, actor: str, *, refuse_duplicates: bool = False
) -> Contact:
    """A new contact; with ``refuse_duplicates`` (people's boundaries), an email another contact holds
    is refused unless ``data.allow_duplicate`` (imports and Mailchimp sign-ups match contacts themselves)."""
    emails = _new_emails(data.emails)
    if refuse_duplicates and not data.allow_duplicate:
        refuse_held_emails(session, emails)
    fields = data.model_dump(exclude={"emails", "allow_duplicate"})
    fields["external_id"] = _clean_external_id(session, data.external_id, None)
    problem = identity_problem(
        data.kind, data.first_name, data.last_name, data.organization_name, bool(emails)
    )
    if problem:
        raise problem
    contact = Contact(**fields, emails=emails)
    session.add(contact)
    session.flush()
    changelog.record_change(
        session,
        Change(contact.id, "contact", contact.id, changelog.CREATED, None, contact.display_name),
        actor,
    )
    return contact


def get_contact(session: Session, contact_id: int) -> Contact:
    contact = repository.get(session, contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    return contact


def contacts_by_id(session: Session, ids: set[int]) -> list[Contact]:
    return repository.by_ids(session, ids)


def list_contacts(
    session: Session,
    *,
    email: str | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
    listing: ContactListing | None = None,
) -> tuple[list[Contact], int]:
    if limit < 1 or limit > 1000:
        raise InvalidInput("limit", "must be between 1 and 1000")
    if offset < 0:
        raise InvalidInput("offset", "must not be negative")
    normalized = email.strip().lower() if email else None
    return repository.page(
        session, email=normalized, search=search, limit=limit, offset=offset, listing=listing
    )


def listing_ids(session: Session, *, search: str | None, listing: ContactListing) -> Select[int]:
    """The ids of the contacts a search and narrowing of the Contacts list show (for its export)."""
    return repository.listing_ids(session, search=search, listing=listing)


def listed_contact_ids(session: Session, *, search: str | None, listing: ContactListing) -> list[int]:
    """Every contact id the list shows on any of its pages (adding the whole list to a group)."""
    return list(session.scalars(repository.listing_ids(session, search=search, listing=listing)))


def update_contact(session: Session, contact_id: int, data: ContactUpdate, actor: str) -> Contact:
    contact = get_contact(session, contact_id)
    values = data.changes()
    if "external_id" in values:
        values["external_id"] = _clean_external_id(session, data.external_id, contact.id)
    problem = identity_problem(
        values.get("kind", contact.kind),
        values.get("first_name", contact.first_name),
        values.get("last_name", contact.last_name),
        values.get("organization_name", contact.organization_name),
        bool(contact.emails),
    )
    if problem:
        raise problem
    changelog.apply_and_record(session, contact, values, contact_id=contact.id, entity="contact", actor=actor)
    session.flush()
    return contact


def delete_contact(session: Session, contact_id: int, actor: str) -> None:
    contact = get_contact(session, contact_id)
    # The entry is not tied to the contact: the database deletes a contact's log with it.
    deleted = Change(None, "contact", contact.id, changelog.DELETED, contact.display_name, None)
    changelog.record_change(session, deleted, actor)
    session.delete(contact)
    session.flush()


def _require_email(session: Session, email_id: int) -> Email:
    email = repository.get_email(session, email_id)
    if email is None:
        raise NotFound("email", email_id)
    return email


def _demote_primary(session: Session, contact: Contact, actor: str) -> None:
    current = contact.primary_email
    if current is None:
        return
    current.is_primary = False
    # Flush the demotion alone first: the unique index on (contact, primary) must never see two.
    session.flush()
    changelog.record_change(
        session, Change(contact.id, "email", current.id, "is_primary", True, False), actor
    )


def add_email(
    session: Session, contact_id: int, data: EmailIn, actor: str, *, refuse_held: bool = False
) -> Email:
    """Add an email; with ``refuse_held`` (a person adding it), one another contact holds is refused."""
    contact = get_contact(session, contact_id)
    email = validated_email(data.address, "address")
    if repository.email_on_contact(session, contact.id, email.normalized):
        raise Conflict(f"{email.address} is already an email of contact {contact.id}")
    if refuse_held:
        _refuse_held(session, email.address, email.normalized, contact.id)
    make_primary = data.is_primary or not contact.emails
    if make_primary:
        _demote_primary(session, contact, actor)
    row = _email_row(email, is_primary=make_primary, status=data.status)
    contact.emails.append(row)
    session.flush()
    changelog.record_change(session, Change(contact.id, "email", row.id, "address", None, row.address), actor)
    return row


def _email_status(status: str | EmailStatus) -> EmailStatus:
    try:
        return EmailStatus(status)
    except ValueError as exc:
        allowed = ", ".join(s.value for s in EmailStatus)
        raise InvalidInput("status", f"{status!r} is not one of {allowed}") from exc


def update_email(
    session: Session,
    email_id: int,
    *,
    address: str | None = None,
    status: str | EmailStatus | None = None,
    actor: str,
    refuse_held: bool = False,
) -> Email:
    """Change an email; with ``refuse_held`` (a person changing it), an address another contact holds is
    refused (Mailchimp's own address changes follow the person and do not ask)."""
    email = _require_email(session, email_id)
    values: dict[str, object] = {}
    if address is not None:
        new = validated_email(address, "address")
        other = repository.email_on_contact(session, email.contact_id, new.normalized)
        if other is not None and other.id != email.id:
            raise Conflict(f"{new.address} is already an email of contact {email.contact_id}")
        if refuse_held:
            _refuse_held(session, new.address, new.normalized, email.contact_id)
        email.address_normalized, email.domain = new.normalized, new.domain
        values["address"] = new.address
    if status is not None:
        values["status"] = _email_status(status)
    changelog.apply_and_record(
        session, email, values, contact_id=email.contact_id, entity="email", actor=actor
    )
    session.flush()
    return email


def set_primary_email(session: Session, email_id: int, actor: str) -> Email:
    email = _require_email(session, email_id)
    if email.is_primary:
        return email
    _demote_primary(session, email.contact, actor)
    email.is_primary = True
    session.flush()
    changelog.record_change(
        session, Change(email.contact_id, "email", email.id, "is_primary", False, True), actor
    )
    return email


def remove_email(session: Session, email_id: int, actor: str) -> None:
    email = _require_email(session, email_id)
    contact = email.contact
    remaining = [e for e in contact.emails if e.id != email.id]
    problem = identity_problem(
        contact.kind, contact.first_name, contact.last_name, contact.organization_name, bool(remaining)
    )
    if problem:
        raise InvalidInput("email", f"cannot remove the last email: {problem.message}")
    contact.emails.remove(email)
    session.flush()
    changelog.record_change(
        session, Change(contact.id, "email", email.id, "address", email.address, None), actor
    )
    if email.is_primary and remaining:
        successor = remaining[0]
        successor.is_primary = True
        session.flush()
        promoted = Change(contact.id, "email", successor.id, "is_primary", False, True)
        changelog.record_change(session, promoted, actor)
