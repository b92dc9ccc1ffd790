"""The CRM reads behind the desired state: one set-based SELECT per question, never one per contact."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    CompoundSelect,
    MetaData,
    Row,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import Session

from constituent.crm.activities.models import ChangeLogEntry
from constituent.crm.contacts.models import Contact, ContactKind, Email, EmailStatus
from constituent.crm.contributions.models import Contribution
from constituent.crm.groups.models import Group, GroupMembership, MembershipStatus
from constituent.crm.organization.models import OrganizationSettings
from constituent.crm.searches.repository import make_room_for_subqueries
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.db import plain_rows
from constituent.kit.keyed import among, pg_array

Predicate = ColumnElement[bool]
T = TypeVar("T")

# Ids or addresses per IN list: well under SQLite's 32,766 bound parameters, and few round trips.
CHUNK = 10_000
# Flags per mask column: a signed 64-bit integer on both databases holds 62 without touching the sign.
FLAGS_PER_MASK = 62

ELIGIBLE_COLUMNS = (
    Contact.id,
    Contact.first_name,
    Contact.last_name,
    Contact.street,
    Contact.city,
    Contact.state,
    Contact.postal_code,
    Contact.country,
    Contact.phone,
    Email.address,
    Email.address_normalized,
)


def chunks(items: Collection[T], size: int = CHUNK) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def eligible() -> Predicate:
    """Individuals who are active, alive and emailable (the primary email's status is checked by the join).

    The kind is compared as text so no database reads contacts through ``ix_contacts_kind``: without
    statistics SQLite takes ``kind = ?`` for a selective key and walks every individual through that
    index, even when a few candidates drive the query (issue 17).
    """
    return and_(
        cast(Contact.kind, String) == ContactKind.individual.value,
        Contact.is_active.is_(True),
        Contact.is_deceased.is_(False),
        Contact.do_not_email.is_(False),
    )


def joining_the_audience(session: Session, integration_id: int, group_id: int) -> int:
    """How many of the group's current members the sync would add to the audience: synced people
    (``eligible``, an ok primary email) with no member of theirs in it per the ledger (none yet, or
    only an archived one). One COUNT; nobody is loaded."""
    in_audience = (
        select(LedgerRow.id)
        .where(
            LedgerRow.integration_id == integration_id,
            LedgerRow.contact_id == Contact.id,
            LedgerRow.status != RemoteStatus.archived,
        )
        .exists()
    )
    query = _with_primary_email(select(func.count(func.distinct(Contact.id))).select_from(Contact))
    return int(session.scalar(query.where(eligible(), in_group(group_id), ~in_audience)) or 0)


def _with_primary_email(query: Select[Any]) -> Select[Any]:
    return query.join(
        Email,
        and_(Email.contact_id == Contact.id, Email.is_primary.is_(True), Email.status == EmailStatus.ok),
    )


def in_group(group_id: int, added_after: datetime | None = None, *, per_contact: bool = False) -> Predicate:
    """Current members of a group; with ``added_after``, only those whose membership began later.

    ``per_contact``: tied to the enclosing query's contact (a keyed probe each), for a statement that
    reads a slice of the contacts, instead of reading the group's members once per statement."""
    members = select(GroupMembership.contact_id).where(
        GroupMembership.group_id == group_id, GroupMembership.status == MembershipStatus.added
    )
    if added_after is not None:
        members = members.where(GroupMembership.added_at > added_after)
    if per_contact:
        members = members.where(GroupMembership.contact_id == Contact.id).correlate(Contact)
    return Contact.id.in_(members)


def created_after(moment: datetime) -> Predicate:
    return Contact.created_at > moment


def _masks(flags: Sequence[Predicate]) -> list[ColumnElement[int]]:
    """Each flag's truth as one bit: a few integer columns instead of a column per flag."""
    masks: list[ColumnElement[int]] = []
    for start in range(0, len(flags), FLAGS_PER_MASK):
        bits: list[ColumnElement[int]] = [
            case((flag, literal(1 << bit, BigInteger)), else_=literal(0, BigInteger))
            for bit, flag in enumerate(flags[start : start + FLAGS_PER_MASK])
        ]
        total = bits[0]
        for bit_column in bits[1:]:
            total = total + bit_column
        masks.append(total)
    return masks


def desired_rows(
    session: Session,
    audience: Predicate,
    flags: Sequence[Predicate],
    *,
    addresses: Collection[str] | None = None,
    extra: Sequence[Any] = (),
) -> Iterator[Row[Any]]:
    """Contact and primary-email columns of everyone in the audience, the ``extra`` columns (mapped
    merge fields), then the flag masks.

    With ``addresses``, only contacts whose primary address is one of them (lower-cased); none when
    there are none (a nightly run with nothing changed: no temporary table made for nobody).
    """
    if addresses is not None and not addresses:
        return
    make_room_for_subqueries(session)
    columns: list[Any] = [*ELIGIBLE_COLUMNS, *extra, *_masks(flags)]
    if addresses is None:
        yield from plain_rows(session, _with_primary_email(select(*columns)).where(audience))
        return
    # One statement driven by the candidates' addresses: each search's subquery is computed once,
    # not once per chunk, and contacts are reached by key from the emails of those addresses.
    _fill_candidates(session, addresses)
    query = (
        select(*columns)
        .select_from(_CANDIDATES)
        .join(
            Email,
            and_(
                Email.address_normalized == _CANDIDATES.c.address,
                Email.is_primary.is_(True),
                Email.status == EmailStatus.ok,
            ),
        )
        .join(Contact, Contact.id == Email.contact_id)
        .where(audience)
    )
    yield from plain_rows(session, query)
    session.execute(text(f"DROP TABLE {_CANDIDATES.name}"))


# The addresses a restricted desired state is built for: a temporary table (one per connection, never
# in the schema), so the database joins from them instead of testing every contact against an IN list.
_CANDIDATES = Table(
    "sync_candidate_addresses",
    MetaData(),
    Column("address", String(320), primary_key=True),
    prefixes=["TEMPORARY"],
)


def _fill_candidates(session: Session, addresses: Collection[str]) -> None:
    # IF NOT EXISTS and DELETE: a run that failed on SQLite may have left the table on this connection
    # (PostgreSQL drops it with the rolled-back transaction).
    session.execute(
        text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_CANDIDATES.name} (address VARCHAR(320) PRIMARY KEY)")
    )
    session.execute(delete(_CANDIDATES))
    if _is_postgresql(session):
        # One statement with one array parameter: an executemany is a round trip per address there.
        values = select(func.unnest(pg_array(list(addresses), String())))
        session.execute(insert(_CANDIDATES).from_select(["address"], values))
    else:
        # One JSON parameter, for the same reason (keyed.among): not a parameter set per address.
        for chunk in chunks(addresses):
            values = select(func.json_each(bindparam("addresses")).table_valued("value", name="keys").c.value)
            fill = insert(_CANDIDATES).from_select(["address"], values)
            session.execute(fill, {"addresses": json.dumps(chunk)})
    # Real row counts for the planners, which otherwise guess a temporary table's size.
    session.execute(text(f"ANALYZE {_CANDIDATES.name}"))


def combined_mask(parts: Sequence[int | None]) -> int:
    """The flag bits of a row's mask columns as one integer."""
    if len(parts) == 1:
        return int(parts[0] or 0)
    combined = 0
    for position, part in enumerate(parts):
        combined |= int(part or 0) << (position * FLAGS_PER_MASK)
    return combined


def flagged_ids(
    session: Session, audience: Predicate, flags: Sequence[Predicate], *, everyone: bool = False
) -> Iterator[tuple[int, int]]:
    """(contact id, flag mask) for audience members with any flag set, or for all of them (``everyone``).

    One scan for all flags: evaluating each search on its own would scan the audience once per search.
    """
    make_room_for_subqueries(session)
    columns: list[Any] = [Contact.id, *_masks(flags)]
    query = _with_primary_email(select(*columns)).where(audience)
    if not everyone:
        query = query.where(or_(false(), *flags))
    for row in plain_rows(session, query):
        yield row[0], combined_mask(row[1:]) if flags else 0


def primary_addresses(session: Session, contact_ids: Collection[int]) -> set[str]:
    """The lower-cased primary addresses of these contacts (whatever their eligibility)."""
    found: set[str] = set()
    for chunk in chunks(contact_ids):
        query = select(Email.address_normalized).where(
            among(session, Email.contact_id, chunk), Email.is_primary.is_(True)
        )
        found.update(session.scalars(query))
    return found


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def changed_contact_ids(session: Session, since: datetime) -> set[int]:
    """Contacts whose own row, emails, memberships or gifts changed (or were deleted) after ``since``.

    Deletions leave no row to carry a timestamp; the change log records them with the contact.
    """
    changed: CompoundSelect[tuple[int | None]] = union(
        select(Contact.id).where(Contact.updated_at > since),
        select(Email.contact_id).where(Email.updated_at > since),
        select(GroupMembership.contact_id).where(GroupMembership.updated_at > since),
        select(Contribution.contact_id).where(Contribution.updated_at > since),
        select(ChangeLogEntry.contact_id).where(
            ChangeLogEntry.changed_at > since, ChangeLogEntry.contact_id.is_not(None)
        ),
    )
    return {contact_id for contact_id in session.scalars(select(changed.subquery().c[0])) if contact_id}


def crossed_ids(
    session: Session, audience: Predicate, then_and_now: Sequence[tuple[Predicate, Predicate]]
) -> set[int]:
    """Audience members for whom any (then, now) pair of predicates disagrees: who entered or left."""
    if not then_and_now:
        return set()
    make_room_for_subqueries(session)
    differs = [_as_bit(then) != _as_bit(now) for then, now in then_and_now]
    query = _with_primary_email(select(Contact.id)).where(audience, or_(*differs))
    return set(session.scalars(query))


def _as_bit(predicate: Predicate) -> ColumnElement[int]:
    # NULL (an unknown comparison) counts as "does not match", as it does in a WHERE clause.
    return case((predicate, 1), else_=0)


def settings_changed_since(session: Session, since: datetime) -> bool:
    changed = select(OrganizationSettings.id).where(OrganizationSettings.updated_at > since)
    return session.scalar(changed) is not None


def group_names(session: Session, group_ids: Collection[int]) -> dict[int, str]:
    rows = session.execute(select(Group.id, Group.name).where(Group.id.in_(list(group_ids))))
    return {group_id: name for group_id, name in rows}


def contact_ids_after(session: Session, after: int, size: int) -> list[int]:
    """The next ``size`` contact ids above ``after``, in order (a full run's next slice: every contact,
    whatever its kind or state, because a contact that stopped qualifying still has a member to archive)."""
    query = select(Contact.id).where(Contact.id > after).order_by(Contact.id).limit(size)
    return list(session.scalars(query))


def contact_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Contact)) or 0
