"""Compile a parsed filter into one SQLAlchemy ``Select`` of contact ids, with bound parameters only.

Every condition becomes a predicate on ``contacts``: plain columns directly, everything else as
``contacts.id IN (subquery)``. Subqueries that do not depend on the outer row are computed once by both
databases (SQLite builds a temporary index, PostgreSQL a hash), which keeps a search over a million
contacts to a few scans of covering indexes instead of a lookup per contact.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, not_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from constituent.crm.contacts.models import Contact, Email
from constituent.crm.contributions.models import Contribution
from constituent.crm.groups.models import GroupMembership, MembershipStatus
from constituent.crm.searches.filters import (
    AllOf,
    AnyOf,
    Condition,
    DaysAgo,
    Fact,
    Node,
    Not,
    Op,
    Value,
    ValueKind,
    resolve_day,
)
from constituent.integrations.mailchimp.sync.member_status import (
    AudienceStatus,
    contacts_in_audience,
    contacts_with_status,
)

Predicate = ColumnElement[bool]


def compile_filter(node: Node, *, today: date, contact_id: int | None = None) -> Select[int]:
    """The ids of the contacts matching ``node`` on ``today``; ``contact_id`` tests just that one contact."""
    query = select(Contact.id).where(compile_predicate(node, today=today, contact_id=contact_id))
    if contact_id is not None:
        query = query.where(Contact.id == contact_id)
    return query


def compile_predicate(
    node: Node, *, today: date, contact_id: int | None = None, per_contact: bool = False
) -> Predicate:
    """The filter as a boolean expression over ``contacts`` (for a SELECT of one's own).

    ``per_contact``: every subquery is tied to the outer row (``… WHERE contact_id = contacts.id``), so
    each contact read costs a keyed probe and nothing is computed over the whole table. For a statement
    that reads a slice of the contacts (a sync's slice or its candidates): computed once per statement,
    a subquery costs as much for 2,000 contacts as for all of them, and a run of many slices paid it
    for each one."""
    return _Compiler(today, contact_id, per_contact).node(node)


class _Compiler:
    def __init__(self, today: date, contact_id: int | None, per_contact: bool = False) -> None:
        self.today = today
        # Checking one contact should not aggregate everyone's gifts: subqueries get narrowed to it too.
        self.contact_id = contact_id
        self.per_contact = per_contact

    def node(self, node: Node) -> Predicate:
        if isinstance(node, AllOf):
            return and_(true(), *(self.node(child) for child in node.children))
        if isinstance(node, AnyOf):
            return or_(false(), *(self.node(child) for child in node.children))
        if isinstance(node, Not):
            return not_(self.node(node.child))
        return self.condition(node)

    def condition(self, cond: Condition) -> Predicate:
        return _FACT_COMPILERS[cond.field.fact](self, cond)

    def day(self, value: Value) -> date:
        assert isinstance(value, date | DaysAgo), "the parser only lets dates reach date fields"
        return resolve_day(value, self.today)

    def ids_in(self, subquery: Select[int] | Select[int | None], *, negate: bool = False) -> Predicate:
        if self.per_contact:
            # Tied to the enclosing query's contacts (and refused by SQLAlchemy in one without them).
            subquery = subquery.correlate(Contact)
        predicate = Contact.id.in_(subquery)
        return not_(predicate) if negate else predicate

    def narrow(self, column: InstrumentedAttribute[int]) -> list[Predicate]:
        if self.per_contact:
            return [column == Contact.id]
        return [] if self.contact_id is None else [column == self.contact_id]

    # -- contact columns -------------------------------------------------------------------------

    def column(self, cond: Condition) -> Predicate:
        column: InstrumentedAttribute[Any] = getattr(Contact, cond.field.name)
        if cond.field.value_kind is ValueKind.day:
            return self.timestamp(column, cond)
        return _text_like(column, cond.op, cond.value)

    def timestamp(self, column: InstrumentedAttribute[datetime], cond: Condition) -> Predicate:
        # A day means the whole UTC day: compare against the midnights that bound it.
        start = _midnight(self.day(cond.value))
        end = start + timedelta(days=1)
        comparisons: dict[Op, Callable[[], Predicate]] = {
            Op.eq: lambda: and_(column >= start, column < end),
            Op.ne: lambda: or_(column < start, column >= end),
            Op.gt: lambda: column >= end,
            Op.gte: lambda: column >= start,
            Op.lt: lambda: column < start,
            Op.lte: lambda: column < end,
        }
        return comparisons[cond.op]()

    # -- emails and groups -----------------------------------------------------------------------

    def email_domain(self, cond: Condition) -> Predicate:
        if cond.op is Op.is_empty:
            has_email = select(Email.contact_id).where(*self.narrow(Email.contact_id))
            return self.ids_in(has_email, negate=bool(cond.value))
        value = cond.value
        lowered = tuple(str(v).lower() for v in value) if isinstance(value, tuple) else str(value).lower()
        # "ne" is the negation of "eq": no email of the contact is at that domain.
        positive = Op.eq if cond.op is Op.ne else cond.op
        matching = select(Email.contact_id).where(
            _text_like(Email.domain, positive, lowered), *self.narrow(Email.contact_id)
        )
        return self.ids_in(matching, negate=cond.op is Op.ne)

    def group(self, cond: Condition) -> Predicate:
        group_ids = cond.value if isinstance(cond.value, tuple) else (cond.value,)
        members = select(GroupMembership.contact_id).where(
            GroupMembership.group_id.in_(group_ids),
            GroupMembership.status == MembershipStatus.added,
            *self.narrow(GroupMembership.contact_id),
        )
        return self.ids_in(members, negate=cond.op is Op.ne)

    def mailchimp_status(self, cond: Condition) -> Predicate:
        """Matches a contact with any address in one of the statuses (``ne``: with none of them)."""
        assert cond.audience is not None, "the parser requires an audience for mailchimp_status"
        values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
        statuses = {AudienceStatus(str(value)) for value in values}
        held = self.ids_in(contacts_with_status(cond.audience, statuses, only=self.contact_id))
        if AudienceStatus.not_in_audience in statuses:
            sent = contacts_in_audience(cond.audience, only=self.contact_id)
            held = or_(held, self.ids_in(sent, negate=True))
        return not_(held) if cond.op is Op.ne else held

    # -- contribution facts ----------------------------------------------------------------------

    def gifts_in_range(self, cond: Condition) -> list[Predicate]:
        where = self.narrow(Contribution.contact_id)
        if cond.date_from is not None:
            where.append(Contribution.received_on >= self.day(cond.date_from))
        if cond.date_to is not None:
            where.append(Contribution.received_on <= self.day(cond.date_to))
        return where

    def aggregate(self, cond: Condition) -> Predicate:
        """``gift_count``/``total_given``: a contact without gifts in the range counts as 0."""
        amount = func.round(func.sum(Contribution.amount), 2)
        aggregate = func.count() if cond.field.fact is Fact.gift_count else amount
        threshold = cond.value
        assert isinstance(threshold, int | Decimal)
        if cond.field.fact is Fact.gift_count and (cond.op, threshold) in AT_LEAST_ONE:
            # "At least one gift" (the Donors quick list): any gift in the range will do, no counting.
            return self.ids_in(select(Contribution.contact_id).where(*self.gifts_in_range(cond)))
        # Contacts without gifts never appear in a GROUP BY, so when 0 satisfies the comparison we
        # select the donors that do NOT satisfy it and take everyone else.
        zero_matches = _compare(Decimal(0), cond.op, threshold)
        having = _compare(aggregate, cond.op, threshold)
        grouped = (
            select(Contribution.contact_id)
            .where(*self.gifts_in_range(cond))
            .group_by(Contribution.contact_id)
            .having(not_(having) if zero_matches else having)
        )
        return self.ids_in(grouped, negate=zero_matches)

    def last_gift_date(self, cond: Condition) -> Predicate:
        in_range = self.gifts_in_range(cond)
        if cond.op is Op.is_empty:
            return self.ids_in(select(Contribution.contact_id).where(*in_range), negate=bool(cond.value))
        day = self.day(cond.value)
        if cond.op in (Op.gt, Op.gte):
            # The last gift is after a day exactly when some gift is: no grouping needed.
            later = _compare(Contribution.received_on, cond.op, day)
            return self.ids_in(select(Contribution.contact_id).where(*in_range, later))
        grouped = (
            select(Contribution.contact_id)
            .where(*in_range)
            .group_by(Contribution.contact_id)
            .having(_compare(func.max(Contribution.received_on), cond.op, day))
        )
        return self.ids_in(grouped)


# gift_count comparisons that mean "gave at least once".
AT_LEAST_ONE = {(Op.gte, 1), (Op.gt, 0), (Op.ne, 0)}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _text_like(column: Any, op: Op, value: object) -> Predicate:
    """Equality, membership, emptiness and case-insensitive matching on a text-like column."""
    if op is Op.in_:
        assert isinstance(value, tuple)
        return column.in_(value)  # type: ignore[no-any-return]
    if op is Op.is_empty:
        return column == "" if value else column != ""  # type: ignore[no-any-return]
    if op in (Op.contains, Op.starts_with):
        pattern = _like_pattern(str(value), anywhere=op is Op.contains)
        # lower() on both sides rather than ILIKE: PostgreSQL runs it faster, and SQLite folds
        # case the same way on both sides (ASCII letters only).
        matched: Predicate = func.lower(column).like(func.lower(pattern), escape=LIKE_ESCAPE)
        return matched
    predicate: Predicate = _compare(column, op, value)
    return predicate


LIKE_ESCAPE = "/"


def _like_pattern(text: str, *, anywhere: bool) -> str:
    """A LIKE pattern matching ``text`` literally: % and _ typed by a person are not wildcards."""
    escaped = "".join(LIKE_ESCAPE + char if char in "%_" + LIKE_ESCAPE else char for char in text)
    return f"%{escaped}%" if anywhere else f"{escaped}%"


def _compare(left: Any, op: Op, right: Any) -> Any:
    """``left <op> right`` for the ordering operators; works on SQL expressions and Python values."""
    comparisons: dict[Op, Callable[[Any, Any], Any]] = {
        Op.eq: lambda a, b: a == b,
        Op.ne: lambda a, b: a != b,
        Op.gt: lambda a, b: a > b,
        Op.gte: lambda a, b: a >= b,
        Op.lt: lambda a, b: a < b,
        Op.lte: lambda a, b: a <= b,
    }
    return comparisons[op](left, right)


_FACT_COMPILERS: dict[Fact, Callable[[_Compiler, Condition], Predicate]] = {
    Fact.column: _Compiler.column,
    Fact.email_domain: _Compiler.email_domain,
    Fact.group: _Compiler.group,
    Fact.gift_count: _Compiler.aggregate,
    Fact.total_given: _Compiler.aggregate,
    Fact.last_gift_date: _Compiler.last_gift_date,
    Fact.mailchimp_status: _Compiler.mailchimp_status,
}
