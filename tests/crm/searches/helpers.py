"""Building small datasets for search tests straight from the models (no services in between)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.contacts.emails import normalise_email
from constituent.crm.contacts.models import Contact, ContactKind, Email
from constituent.crm.contributions.models import Contribution
from constituent.crm.groups.models import Group, GroupMembership, MembershipStatus
from constituent.crm.searches.compiler import compile_filter
from constituent.crm.searches.filters import parse_filter


def at(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC).replace(hour=12)


def add_contact(session: Session, **fields: Any) -> Contact:
    fields.setdefault("kind", ContactKind.individual)
    for stamp in ("created_at", "updated_at"):
        if isinstance(fields.get(stamp), str):
            fields[stamp] = at(fields[stamp])
    contact = Contact(**fields)
    session.add(contact)
    session.flush()
    return contact


def add_email(session: Session, contact: Contact, address: str, *, primary: bool = False) -> Email:
    parts = normalise_email(address)
    email = Email(
        contact_id=contact.id,
        address=parts.address,
        address_normalized=parts.normalized,
        domain=parts.domain,
        is_primary=primary,
    )
    session.add(email)
    session.flush()
    return email


def add_gift(session: Session, contact: Contact, amount: str, on: str) -> Contribution:
    gift = Contribution(contact_id=contact.id, amount=Decimal(amount), received_on=date.fromisoformat(on))
    session.add(gift)
    session.flush()
    return gift


def add_group(session: Session, name: str) -> Group:
    group = Group(name=name)
    session.add(group)
    session.flush()
    return group


def add_member(session: Session, group: Group, contact: Contact, *, current: bool = True) -> GroupMembership:
    membership = GroupMembership(
        group_id=group.id,
        contact_id=contact.id,
        status=MembershipStatus.added if current else MembershipStatus.removed,
        removed_at=None if current else at("2026-02-01"),
    )
    session.add(membership)
    session.flush()
    return membership


def matching_ids(session: Session, raw: object, today: date) -> set[int]:
    return set(session.scalars(compile_filter(parse_filter(raw), today=today)))
