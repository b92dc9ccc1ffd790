"""Saved-search filters: the JSON filter tree, parsed and validated into typed nodes.

The JSON grammar::

    {"all": [node, ...]}      every child matches (an empty list matches everyone)
    {"any": [node, ...]}      at least one child matches (an empty list matches no one)
    {"not": node}             the child does not match
    {"field": F, "op": O, "value": V}                       a condition on a contact
    {"field": F, "op": O, "value": V, "from": D, "to": D}   a contribution fact within a date range

Dates are ISO strings (``"2025-01-31"``) or relative to the day of evaluation (``{"days_ago": 30}``);
relative dates are resolved by the compiler with the ``today`` it is given, never by reading the clock.

What the fields mean:

- Text fields (names, address parts): ``eq``/``ne``/``in`` compare exactly; ``contains`` and
  ``starts_with`` ignore case; ``is_empty`` (value ``true``/``false``) tests for the empty string.
- ``created_at``/``updated_at`` compare by UTC calendar day: ``created_at gte 2025-03-01`` includes
  the whole of March 1st.
- ``email_domain`` looks at ANY email of the contact, not only the primary one, so a campaign can find
  everyone reachable at a domain: ``eq``/``in``/``contains``/``starts_with`` match a contact with at least
  one such email, ``ne`` matches a contact with no email at that domain, ``is_empty`` a contact with no
  email at all. Domains are compared lower-cased.
- ``in_group`` takes group ids and looks at current memberships only (past stints do not count).
- Contribution facts over the gifts received between ``from`` and ``to`` (inclusive; either may be left
  out): ``gift_count`` and ``total_given`` are 0 for a contact without gifts, so ``total_given lt 50``
  includes non-donors; ``last_gift_date`` is unknown for them, so its comparisons never match them and
  ``is_empty`` finds exactly them.
- ``mailchimp_status`` asks about one Mailchimp audience, named by its integration id in ``audience``
  (``{"field": "mailchimp_status", "op": "eq", "value": "unsubscribed", "audience": 1}``). The values are
  Mailchimp's statuses as the last sync or webhook saw them (subscribed, unsubscribed, cleaned, pending,
  transactional, archived, forgotten = permanently deleted) and ``not_in_audience`` (never sent to it).
  A contact matches a status when ANY of its addresses has it; ``ne`` is the negation of ``eq``.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from constituent.crm.contacts.models import ContactKind
from constituent.crm.errors import InvalidInput
from constituent.integrations.mailchimp.sync.member_status import AudienceStatus

MAX_DEPTH = 20
MAX_LIST_ITEMS = 1000
# The size of one search: beyond these its SQL grows past what the databases evaluate (SQLite refuses
# an expression tree over 1,000 deep and a statement over 32,766 parameters), and every contact page
# and sync evaluates every search. Documented in docs/USER-GUIDE.md.
MAX_CONDITIONS = 100
MAX_VALUES = 1000
MAX_TEXT_LENGTH = 320
MAX_DAYS_AGO = 100 * 366


class FilterError(InvalidInput):
    """A filter is malformed; ``path`` points into the JSON (``all[2].value``, empty for the root)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"filter.{path}" if path else "filter", message)
        self.path = path


class Op(enum.StrEnum):
    eq = "eq"
    ne = "ne"
    contains = "contains"
    starts_with = "starts_with"
    in_ = "in"
    gt = "gt"
    gte = "gte"
    lt = "lt"
    lte = "lte"
    is_empty = "is_empty"


class ValueKind(enum.Enum):
    text = "a string"
    kind = "a contact kind"
    flag = "true or false"
    day = "a date"
    count = "a whole number"
    money = "an amount"
    group = "a group id"
    audience_status = "a Mailchimp status"


class Fact(enum.Enum):
    """Where a field's value comes from, which decides how it compiles."""

    column = "column"
    email_domain = "email_domain"
    group = "group"
    gift_count = "gift_count"
    total_given = "total_given"
    last_gift_date = "last_gift_date"
    mailchimp_status = "mailchimp_status"


TEXT_OPS = frozenset({Op.eq, Op.ne, Op.contains, Op.starts_with, Op.in_, Op.is_empty})
EQUALITY_OPS = frozenset({Op.eq, Op.ne, Op.in_})
ORDER_OPS = frozenset({Op.eq, Op.ne, Op.gt, Op.gte, Op.lt, Op.lte})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    fact: Fact
    value_kind: ValueKind
    ops: frozenset[Op]

    @property
    def takes_date_range(self) -> bool:
        return self.fact in CONTRIBUTION_FACTS


CONTRIBUTION_FACTS = frozenset({Fact.gift_count, Fact.total_given, Fact.last_gift_date})


def _specs() -> dict[str, FieldSpec]:
    text = [
        "first_name",
        "last_name",
        "organization_name",
        "city",
        "state",
        "postal_code",
        "country",
    ]
    specs = [FieldSpec(name, Fact.column, ValueKind.text, TEXT_OPS) for name in text]
    specs += [
        FieldSpec("kind", Fact.column, ValueKind.kind, EQUALITY_OPS),
        FieldSpec("is_active", Fact.column, ValueKind.flag, frozenset({Op.eq, Op.ne})),
        FieldSpec("do_not_email", Fact.column, ValueKind.flag, frozenset({Op.eq, Op.ne})),
        FieldSpec("created_at", Fact.column, ValueKind.day, ORDER_OPS),
        FieldSpec("updated_at", Fact.column, ValueKind.day, ORDER_OPS),
        FieldSpec("email_domain", Fact.email_domain, ValueKind.text, TEXT_OPS),
        FieldSpec("in_group", Fact.group, ValueKind.group, EQUALITY_OPS),
        FieldSpec("total_given", Fact.total_given, ValueKind.money, ORDER_OPS),
        FieldSpec("gift_count", Fact.gift_count, ValueKind.count, ORDER_OPS),
        FieldSpec("last_gift_date", Fact.last_gift_date, ValueKind.day, ORDER_OPS | {Op.is_empty}),
        FieldSpec("mailchimp_status", Fact.mailchimp_status, ValueKind.audience_status, EQUALITY_OPS),
    ]
    return {spec.name: spec for spec in specs}


FIELDS = _specs()


@dataclass(frozen=True)
class DaysAgo:
    days: int

    def resolve(self, today: date) -> date:
        return today - timedelta(days=self.days)


DayValue = date | DaysAgo
Scalar = str | bool | int | Decimal | date | DaysAgo
Value = Scalar | tuple[Scalar, ...]


def resolve_day(value: DayValue, today: date) -> date:
    return value.resolve(today) if isinstance(value, DaysAgo) else value


@dataclass(frozen=True)
class Condition:
    field: FieldSpec
    op: Op
    value: Value
    date_from: DayValue | None = None
    date_to: DayValue | None = None
    # The integration whose audience a mailchimp_status condition asks about.
    audience: int | None = None
    # Where the condition sits in the JSON, for errors found after parsing (e.g. an unknown group).
    path: str = dataclasses.field(default="", compare=False)


@dataclass(frozen=True)
class AllOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = AllOf | AnyOf | Not | Condition


def parse_filter(raw: object) -> Node:
    """Validate a JSON filter tree; raise ``FilterError`` naming the first wrong part, or the size limit."""
    node = _parse_node(raw, "", depth=0)
    _check_size(node)
    return node


def size_of(node: Node) -> tuple[int, int]:
    """How many conditions the filter has, and how many values they hold (each item of a list counts)."""
    found = list(conditions(node))
    return len(found), sum(len(c.value) if isinstance(c.value, tuple) else 1 for c in found)


def _check_size(node: Node) -> None:
    count, values = size_of(node)
    if count > MAX_CONDITIONS:
        raise FilterError(
            "", f"a saved search can have at most {MAX_CONDITIONS} conditions; this one has {count}"
        )
    if values > MAX_VALUES:
        raise FilterError(
            "",
            f"a saved search can hold at most {MAX_VALUES} values in all (each item of a list counts); "
            f"this one has {values}",
        )


def conditions(node: Node) -> Iterator[Condition]:
    """Every condition in the tree, depth first."""
    if isinstance(node, Condition):
        yield node
    elif isinstance(node, Not):
        yield from conditions(node.child)
    else:
        for child in node.children:
            yield from conditions(child)


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _parse_node(raw: object, path: str, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise FilterError(path, f"the filter is nested more than {MAX_DEPTH} levels deep")
    if not isinstance(raw, dict):
        raise FilterError(path, 'expected an object such as {"all": [...]} or {"field": ..., "op": ...}')
    if "field" in raw:
        return _parse_condition(raw, path)
    if len(raw) != 1 or next(iter(raw)) not in ("all", "any", "not"):
        raise FilterError(path, 'expected exactly one of "all", "any", "not", or a condition with "field"')
    key, body = next(iter(raw.items()))
    if key == "not":
        return Not(_parse_node(body, _child(path, "not"), depth + 1))
    if not isinstance(body, list):
        raise FilterError(_child(path, key), "expected a list of conditions")
    children = tuple(
        _parse_node(item, _child(_child(path, key), i), depth + 1) for i, item in enumerate(body)
    )
    return AllOf(children) if key == "all" else AnyOf(children)


CONDITION_KEYS = frozenset({"field", "op", "value", "from", "to", "audience"})


def _parse_condition(raw: dict[str, Any], path: str) -> Condition:
    unknown = sorted(set(raw) - CONDITION_KEYS)
    if unknown:
        raise FilterError(_child(path, unknown[0]), f"unknown key {unknown[0]!r} in a condition")
    spec = _parse_field(raw["field"], _child(path, "field"))
    op = _parse_op(raw.get("op"), spec, _child(path, "op"))
    value = _parse_value(raw, op, spec, _child(path, "value"))
    bounds = [_parse_bound(raw, key, spec, _child(path, key)) for key in ("from", "to")]
    audience = _parse_audience(raw, spec, _child(path, "audience"))
    return Condition(spec, op, value, bounds[0], bounds[1], audience=audience, path=path)


def _parse_field(raw: object, path: str) -> FieldSpec:
    if not isinstance(raw, str) or raw not in FIELDS:
        raise FilterError(path, f"unknown field {raw!r}; known fields: {', '.join(sorted(FIELDS))}")
    return FIELDS[raw]


def _parse_op(raw: object, spec: FieldSpec, path: str) -> Op:
    allowed = ", ".join(sorted(op.value for op in spec.ops))
    if not isinstance(raw, str) or raw not in Op.__members__.values():
        raise FilterError(path, f"unknown operator {raw!r}; {spec.name} accepts: {allowed}")
    op = Op(raw)
    if op not in spec.ops:
        raise FilterError(path, f"operator {raw!r} does not apply to {spec.name}; it accepts: {allowed}")
    return op


def _parse_value(raw: dict[str, Any], op: Op, spec: FieldSpec, path: str) -> Value:
    if op is Op.is_empty:
        value = raw.get("value", True)
        if not isinstance(value, bool):
            raise FilterError(path, "is_empty takes true or false")
        return value
    if "value" not in raw:
        raise FilterError(path, f"a value is required for {spec.name} {op.value}")
    value = raw["value"]
    if op is not Op.in_:
        return _parse_scalar(value, spec.value_kind, path)
    if not isinstance(value, list) or not value:
        raise FilterError(path, f"'in' takes a non-empty list of {spec.value_kind.value}s")
    if len(value) > MAX_LIST_ITEMS:
        raise FilterError(path, f"'in' takes at most {MAX_LIST_ITEMS} values")
    return tuple(_parse_scalar(item, spec.value_kind, _child(path, i)) for i, item in enumerate(value))


def _parse_bound(raw: dict[str, Any], key: str, spec: FieldSpec, path: str) -> DayValue | None:
    if key not in raw:
        return None
    if not spec.takes_date_range:
        raise FilterError(path, f"{spec.name} does not take a date range; only contribution facts do")
    return _parse_day(raw[key], path)


def _parse_audience(raw: dict[str, Any], spec: FieldSpec, path: str) -> int | None:
    needs_audience = spec.fact is Fact.mailchimp_status
    if "audience" not in raw:
        if needs_audience:
            raise FilterError(path, "mailchimp_status needs the audience it asks about (an integration id)")
        return None
    if not needs_audience:
        raise FilterError(path, f"{spec.name} does not take an audience; only mailchimp_status does")
    return _parse_whole(raw["audience"], path)


def _parse_audience_status(raw: object, path: str) -> str:
    if not isinstance(raw, str) or raw not in AudienceStatus.__members__.values():
        statuses = ", ".join(status.value for status in AudienceStatus)
        raise FilterError(path, f"unknown Mailchimp status {raw!r}; expected one of: {statuses}")
    return AudienceStatus(raw).value


def _parse_scalar(raw: object, kind: ValueKind, path: str) -> Scalar:
    return _SCALAR_PARSERS[kind](raw, path)


def _parse_text(raw: object, path: str) -> str:
    if not isinstance(raw, str):
        raise FilterError(path, f"expected a string, got {_describe(raw)}")
    if len(raw) > MAX_TEXT_LENGTH:
        raise FilterError(path, f"text longer than {MAX_TEXT_LENGTH} characters")
    return raw


def _parse_kind(raw: object, path: str) -> str:
    if not isinstance(raw, str) or raw not in ContactKind.__members__.values():
        kinds = ", ".join(kind.value for kind in ContactKind)
        raise FilterError(path, f"unknown contact kind {raw!r}; expected one of: {kinds}")
    return ContactKind(raw).value


def _parse_flag(raw: object, path: str) -> bool:
    if not isinstance(raw, bool):
        raise FilterError(path, f"expected true or false, got {_describe(raw)}")
    return raw


def _parse_whole(raw: object, path: str) -> int:
    # JSON true/false are ints to Python; in a filter they are a mistake.
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise FilterError(path, f"expected a whole number, got {_describe(raw)}")
    if not 0 <= raw <= 2**31 - 1:
        raise FilterError(path, f"{raw} is out of range")
    return raw


def _parse_money(raw: object, path: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise FilterError(path, f'expected an amount such as 250 or "99.50", got {_describe(raw)}')
    try:
        amount = Decimal(str(raw).strip())
    except InvalidOperation:
        raise FilterError(path, f"{raw!r} is not an amount") from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise FilterError(path, f"{raw!r} is not a usable amount")
    return amount.quantize(Decimal("0.01"))


def _parse_day(raw: object, path: str) -> DayValue:
    if isinstance(raw, dict):
        return _parse_days_ago(raw, path)
    if not isinstance(raw, str):
        raise FilterError(path, f'expected a date "YYYY-MM-DD" or {{"days_ago": N}}, got {_describe(raw)}')
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(path, f'{raw!r} is not a date; expected "YYYY-MM-DD"') from None


def _parse_days_ago(raw: dict[str, Any], path: str) -> DaysAgo:
    days = raw.get("days_ago")
    if set(raw) != {"days_ago"} or isinstance(days, bool) or not isinstance(days, int):
        raise FilterError(path, 'a relative date is written {"days_ago": N} with a whole number N')
    if not 0 <= days <= MAX_DAYS_AGO:
        raise FilterError(_child(path, "days_ago"), f"days_ago must be between 0 and {MAX_DAYS_AGO}")
    return DaysAgo(days)


def _describe(raw: object) -> str:
    if raw is None:
        return "null"
    if isinstance(raw, float) and not math.isfinite(raw):
        return "a non-finite number"
    return f"{type(raw).__name__} {raw!r}"[:80]


_SCALAR_PARSERS: dict[ValueKind, Callable[[object, str], Scalar]] = {
    ValueKind.text: _parse_text,
    ValueKind.kind: _parse_kind,
    ValueKind.flag: _parse_flag,
    ValueKind.day: _parse_day,
    ValueKind.count: _parse_whole,
    ValueKind.money: _parse_money,
    ValueKind.group: _parse_whole,
    ValueKind.audience_status: _parse_audience_status,
}
