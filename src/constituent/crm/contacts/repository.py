"""Every query on contacts and emails lives here."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from constituent.crm.contacts.models import Contact, Email


def get(session: Session, contact_id: int) -> Contact | None:
    query = select(Contact).where(Contact.id == contact_id).options(selectinload(Contact.emails))
    return session.scalars(query).one_or_none()


def get_email(session: Session, email_id: int) -> Email | None:
    return session.get(Email, email_id)


def id_for_external_id(session: Session, external_id: str) -> int | None:
    return session.scalar(select(Contact.id).where(Contact.external_id == external_id))


def _filtered(query: Select[tuple[Contact]], email: str | None, search: str | None) -> Select[tuple[Contact]]:
    if email:
        has_email = select(Email.id).where(Email.contact_id == Contact.id, Email.address_normalized == email)
        query = query.where(has_email.exists())
    if search:
        pattern = f"%{search.lower()}%"
        name_matches = [
            func.lower(column).like(pattern)
            for column in (Contact.first_name, Contact.last_name, Contact.organization_name)
        ]
        email_matches = select(Email.id).where(
            Email.contact_id == Contact.id, Email.address_normalized.like(pattern)
        )
        query = query.where(or_(*name_matches, email_matches.exists()))
    return query


def page(
    session: Session, *, email: str | None, search: str | None, limit: int, offset: int
) -> tuple[list[Contact], int]:
    """One page ordered by id, and how many contacts match in all (for pagination)."""
    base = _filtered(select(Contact), email, search)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    query = base.order_by(Contact.id).limit(limit).offset(offset).options(selectinload(Contact.emails))
    return list(session.scalars(query)), total


def other_emails_by_id(session: Session, contact_id: int, excluding_email_id: int) -> list[Email]:
    query = (
        select(Email).where(Email.contact_id == contact_id, Email.id != excluding_email_id).order_by(Email.id)
    )
    return list(session.scalars(query))


def email_on_contact(session: Session, contact_id: int, normalized: str) -> Email | None:
    query = select(Email).where(Email.contact_id == contact_id, Email.address_normalized == normalized)
    return session.scalars(query).one_or_none()


def other_contacts_with_address(session: Session, normalized: str, excluding_contact_id: int) -> list[int]:
    query = (
        select(Email.contact_id)
        .where(Email.address_normalized == normalized, Email.contact_id != excluding_contact_id)
        .distinct()
        .order_by(Email.contact_id)
    )
    return list(session.scalars(query))
