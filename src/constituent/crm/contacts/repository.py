"""Every query on contacts and emails lives here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, selectinload

from constituent.crm.contacts import finding
from constituent.crm.contacts.listing import ContactListing, ContactSort, ContactStatus
from constituent.crm.contacts.models import Contact, Email
from constituent.crm.contributions.models import Contribution


def get(session: Session, contact_id: int) -> Contact | None:
    query = select(Contact).where(Contact.id == contact_id).options(selectinload(Contact.emails))
    return session.scalars(query).one_or_none()


def by_ids(session: Session, ids: set[int]) -> list[Contact]:
    if not ids:
        return []
    return list(session.scalars(select(Contact).where(Contact.id.in_(ids)).order_by(Contact.id)))


def get_email(session: Session, email_id: int) -> Email | None:
    return session.get(Email, email_id)


def id_for_external_id(session: Session, external_id: str) -> int | None:
    return session.scalar(select(Contact.id).where(Contact.external_id == external_id))


def _filtered(
    session: Session, query: Select[tuple[Contact]], email: str | None, search: str | None
) -> Select[tuple[Contact]]:
    if email:
        has_email = select(Email.id).where(Email.contact_id == Contact.id, Email.address_normalized == email)
        query = query.where(has_email.exists())
    if search and search.strip():
        query = query.where(finding.matches(finding.Query.parse(search), session.get_bind().dialect.name))
    return query


def _status_is(status: ContactStatus) -> ColumnElement[bool]:
    """The list's one status per contact: inactive over deceased over do-not-email over active."""
    active, deceased, no_email = Contact.is_active, Contact.is_deceased, Contact.do_not_email
    if status is ContactStatus.inactive:
        return active.is_(False)
    if status is ContactStatus.deceased:
        return and_(active.is_(True), deceased.is_(True))
    if status is ContactStatus.do_not_email:
        return and_(active.is_(True), deceased.is_(False), no_email.is_(True))
    return and_(active.is_(True), deceased.is_(False), no_email.is_(False))


def _narrowed(query: Select[tuple[Contact]], listing: ContactListing) -> Select[tuple[Contact]]:
    if listing.kind is not None:
        query = query.where(Contact.kind == listing.kind)
    if listing.status is not None:
        query = query.where(_status_is(listing.status))
    return query


def _sort_order(sort: ContactSort) -> list[ColumnElement[Any]]:
    """The order a chosen sort puts contacts in, ties broken by id so pages never overlap."""
    if sort is ContactSort.name:
        return [Contact.last_name.expression, Contact.first_name.expression, Contact.id.expression]
    if sort is ContactSort.newest:
        return [Contact.created_at.desc(), Contact.id.desc()]
    last_gift = (
        select(func.max(Contribution.received_on))
        .where(Contribution.contact_id == Contact.id)
        .scalar_subquery()
    )
    return [last_gift.desc().nulls_last(), Contact.id.expression]


def page(
    session: Session,
    *,
    email: str | None,
    search: str | None,
    limit: int,
    offset: int,
    listing: ContactListing | None = None,
) -> tuple[list[Contact], int]:
    """One page (by id unless a sort is chosen; a search puts exact matches first) and how many contacts
    match in all (for pagination)."""
    listing = listing or ContactListing()
    base = _narrowed(_filtered(session, select(Contact), email, search), listing)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    order: list[ColumnElement[Any]] = [Contact.id.expression]
    if listing.sort is not None:
        order = _sort_order(listing.sort)
    elif search and search.strip():  # exact matches first, then by name
        exact = finding.exactness(finding.Query.parse(search))
        order = [exact, Contact.last_name.expression, Contact.first_name.expression, *order]
    query = base.order_by(*order).limit(limit).offset(offset).options(selectinload(Contact.emails))
    return list(session.scalars(query)), total


def listing_ids(session: Session, *, search: str | None, listing: ContactListing) -> Select[int]:
    """The ids of every contact the list shows on any of its pages (an export of the list)."""
    return _narrowed(_filtered(session, select(Contact), None, search), listing).with_only_columns(Contact.id)


def other_emails_by_id(session: Session, contact_id: int, excluding_email_id: int) -> list[Email]:
    query = (
        select(Email).where(Email.contact_id == contact_id, Email.id != excluding_email_id).order_by(Email.id)
    )
    return list(session.scalars(query))


def holder_of_email(session: Session, normalized: str, except_contact_id: int | None) -> Contact | None:
    """The lowest-id contact other than ``except_contact_id`` holding this (lower-cased) address."""
    query = (
        select(Contact)
        .join(Email, Email.contact_id == Contact.id)
        .where(Email.address_normalized == normalized)
    )
    if except_contact_id is not None:
        query = query.where(Contact.id != except_contact_id)
    return session.scalars(query.order_by(Contact.id).limit(1)).first()


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
