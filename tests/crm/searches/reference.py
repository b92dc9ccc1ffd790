"""A plain-Python reading of the filter semantics, to check the SQL compiler against."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from constituent.crm.searches.compiler import _compare
from constituent.crm.searches.filters import AllOf, AnyOf, Condition, Fact, Node, Not, Op, resolve_day


@dataclass
class Person:
    """One contact and everything a filter can look at, as plain values."""

    columns: dict[str, object]
    domains: list[str] = field(default_factory=list)
    current_groups: set[int] = field(default_factory=set)
    gifts: list[tuple[Decimal, date]] = field(default_factory=list)


def evaluate(node: Node, person: Person, today: date) -> bool:
    if isinstance(node, AllOf):
        return all(evaluate(child, person, today) for child in node.children)
    if isinstance(node, AnyOf):
        return any(evaluate(child, person, today) for child in node.children)
    if isinstance(node, Not):
        return not evaluate(node.child, person, today)
    return _condition(node, person, today)


def _condition(cond: Condition, person: Person, today: date) -> bool:
    fact = cond.field.fact
    if fact is Fact.column:
        value = person.columns[cond.field.name]
        if isinstance(value, datetime):
            return _compare(value.date(), cond.op, resolve_day(cond.value, today))  # type: ignore[arg-type]
        return _text(value, cond.op, cond.value)
    if fact is Fact.email_domain:
        return _domains(person.domains, cond)
    if fact is Fact.group:
        wanted = set(cond.value) if isinstance(cond.value, tuple) else {cond.value}
        inside = bool(person.current_groups & wanted)
        return not inside if cond.op is Op.ne else inside
    return _gifts(cond, person, today)


def _text(value: object, op: Op, wanted: object) -> bool:
    if op is Op.in_:
        assert isinstance(wanted, tuple)
        return value in wanted
    if op is Op.is_empty:
        return (value == "") is wanted
    if op is Op.contains:
        return str(wanted).lower() in str(value).lower()
    if op is Op.starts_with:
        return str(value).lower().startswith(str(wanted).lower())
    return bool(_compare(value, op, wanted))


def _domains(domains: list[str], cond: Condition) -> bool:
    if cond.op is Op.is_empty:
        return (not domains) is cond.value
    wanted = (
        tuple(str(v).lower() for v in cond.value)
        if isinstance(cond.value, tuple)
        else str(cond.value).lower()
    )
    if cond.op is Op.ne:
        return wanted not in domains
    return any(_text(domain, cond.op, wanted) for domain in domains)


def _gifts(cond: Condition, person: Person, today: date) -> bool:
    start = resolve_day(cond.date_from, today) if cond.date_from is not None else date.min
    end = resolve_day(cond.date_to, today) if cond.date_to is not None else date.max
    gifts = [(amount, day) for amount, day in person.gifts if start <= day <= end]
    if cond.field.fact is Fact.gift_count:
        return bool(_compare(len(gifts), cond.op, cond.value))
    if cond.field.fact is Fact.total_given:
        return bool(_compare(sum((amount for amount, _ in gifts), Decimal(0)), cond.op, cond.value))
    if cond.op is Op.is_empty:
        return (not gifts) is cond.value
    if not gifts:
        return False
    return bool(_compare(max(day for _, day in gifts), cond.op, resolve_day(cond.value, today)))  # type: ignore[arg-type]
