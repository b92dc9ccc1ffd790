"""Property: for random small datasets and random filters, SQL finds exactly whom plain Python finds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact, ContactKind
from constituent.crm.groups.models import Group
from constituent.crm.searches.compiler import compile_predicate
from constituent.crm.searches.filters import parse_filter
from tests.crm.searches.helpers import add_contact, add_email, add_gift, add_group, add_member, matching_ids
from tests.crm.searches.reference import Person, evaluate

TODAY = date(2026, 1, 10)
DAYS = [date(2026, 1, 1) + timedelta(days=n) for n in range(6)]
TEXTS = ["", "Ann", "ann", "ANNA", "Bo_b", "50%", "a/b", "Zed"]
FRAGMENTS = [*TEXTS, "an", "%", "_", "/", "b"]
DOMAINS = ["gmail.com", "mail.gmail.com", "yahoo.com", "a-b.org"]
AMOUNTS = ["0.10", "0.20", "5", "99.99", "100"]
TEXT_FIELDS = ["first_name", "last_name", "organization_name", "city", "state", "postal_code", "country"]
COUNTRIES = ["", "US", "us", "a%"]
ORDER_OPS = ["eq", "ne", "gt", "gte", "lt", "lte"]
GROUPS = ["G0", "G1"]

days = st.sampled_from(DAYS)
timestamps = st.builds(
    lambda d, h: datetime.combine(d, datetime.min.time(), tzinfo=UTC) + timedelta(hours=h),
    days,
    st.integers(0, 23),
)
group_stints = st.sampled_from([(), (True,), (False,), (False, True)])

people = st.lists(
    st.fixed_dictionaries(
        {
            "columns": st.fixed_dictionaries(
                {
                    **{name: st.sampled_from(TEXTS) for name in TEXT_FIELDS},
                    "country": st.sampled_from(COUNTRIES),
                    "kind": st.sampled_from([kind.value for kind in ContactKind]),
                    "is_active": st.booleans(),
                    "do_not_email": st.booleans(),
                    "created_at": timestamps,
                    "updated_at": timestamps,
                }
            ),
            "domains": st.lists(st.sampled_from(DOMAINS), max_size=2, unique=True),
            "groups": st.tuples(group_stints, group_stints),
            "gifts": st.lists(st.tuples(st.sampled_from(AMOUNTS), days), max_size=3),
        }
    ),
    min_size=1,
    max_size=6,
)


def day_values() -> st.SearchStrategy[Any]:
    return st.one_of(days.map(date.isoformat), st.integers(0, 12).map(lambda n: {"days_ago": n}))


def with_range(leaf: dict[str, Any], start: Any, end: Any) -> dict[str, Any]:
    return {**leaf, **({"from": start} if start else {}), **({"to": end} if end else {})}


def text_leaves(fields: list[str], values: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(
            lambda f, o, v: {"field": f, "op": o, "value": v},
            st.sampled_from(fields),
            st.sampled_from(["eq", "ne", "contains", "starts_with"]),
            st.sampled_from(values),
        ),
        st.builds(
            lambda f, v: {"field": f, "op": "in", "value": v},
            st.sampled_from(fields),
            st.lists(st.sampled_from(values), min_size=1, max_size=3),
        ),
        st.builds(
            lambda f, v: {"field": f, "op": "is_empty", "value": v}, st.sampled_from(fields), st.booleans()
        ),
    )


def gift_leaves() -> st.SearchStrategy[dict[str, Any]]:
    bounds = st.one_of(st.none(), day_values())
    count = st.builds(
        lambda o, v: {"field": "gift_count", "op": o, "value": v},
        st.sampled_from(ORDER_OPS),
        st.integers(0, 3),
    )
    total = st.builds(
        lambda o, v: {"field": "total_given", "op": o, "value": v},
        st.sampled_from(ORDER_OPS),
        st.sampled_from(["0", "0.10", "0.30", "5", "100", "105.30"]),
    )
    last = st.one_of(
        st.builds(
            lambda o, v: {"field": "last_gift_date", "op": o, "value": v},
            st.sampled_from(ORDER_OPS),
            day_values(),
        ),
        st.builds(lambda v: {"field": "last_gift_date", "op": "is_empty", "value": v}, st.booleans()),
    )
    return st.builds(with_range, st.one_of(count, total, last), bounds, bounds)


leaves = st.one_of(
    text_leaves(TEXT_FIELDS, FRAGMENTS),
    text_leaves(["email_domain"], [*DOMAINS, "GMAIL.COM", "gmail", "_", "mail"]),
    st.builds(
        lambda o, v: {"field": "kind", "op": o, "value": v},
        st.sampled_from(["eq", "ne"]),
        st.sampled_from([kind.value for kind in ContactKind]),
    ),
    st.builds(
        lambda f, o, v: {"field": f, "op": o, "value": v},
        st.sampled_from(["is_active", "do_not_email"]),
        st.sampled_from(["eq", "ne"]),
        st.booleans(),
    ),
    st.builds(
        lambda f, o, v: {"field": f, "op": o, "value": v},
        st.sampled_from(["created_at", "updated_at"]),
        st.sampled_from(ORDER_OPS),
        day_values(),
    ),
    st.builds(
        lambda o, g: {"field": "in_group", "op": o, "value": g},
        st.sampled_from(["eq", "ne"]),
        st.sampled_from(GROUPS),
    ),
    st.builds(
        lambda g: {"field": "in_group", "op": "in", "value": g},
        st.lists(st.sampled_from(GROUPS), min_size=1, max_size=2),
    ),
    gift_leaves(),
)
filters = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3).map(lambda c: {"all": c}),
        st.lists(children, max_size=3).map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c}),
    ),
    max_leaves=6,
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dataset=people, raw=filters)
def test_sql_and_python_agree_on_who_matches(
    session: Session, dataset: list[dict[str, Any]], raw: Any
) -> None:
    try:
        group_ids = {name: add_group(session, name).id for name in GROUPS}
        stored = [store(session, row, group_ids) for row in dataset]
        node = parse_filter(substitute(raw, group_ids))
        expected = {contact_id for contact_id, person in stored if evaluate(node, person, TODAY)}
        assert matching_ids(session, substitute(raw, group_ids), TODAY) == expected
        # Compiled per contact (a sync's slice reads it so), the filter matches the same people.
        per_contact = compile_predicate(node, today=TODAY, per_contact=True)
        assert set(session.scalars(select(Contact.id).where(per_contact))) == expected
    finally:
        session.rollback()


def store(session: Session, row: dict[str, Any], group_ids: dict[str, int]) -> tuple[int, Person]:
    contact = add_contact(session, **row["columns"])
    person = Person(columns=row["columns"], domains=row["domains"])
    for index, domain in enumerate(row["domains"]):
        add_email(session, contact, f"c{contact.id}@{domain}", primary=index == 0)
    for name, stints in zip(GROUPS, row["groups"], strict=True):
        group = session.get_one(Group, group_ids[name])
        for current in stints:
            add_member(session, group, contact, current=current)
            if current:
                person.current_groups.add(group.id)
    for amount, day in row["gifts"]:
        add_gift(session, contact, amount, day.isoformat())
        person.gifts.append((Decimal(amount), day))
    return contact.id, person


def substitute(raw: Any, group_ids: dict[str, int]) -> Any:
    if isinstance(raw, dict):
        return {key: substitute(value, group_ids) for key, value in raw.items()}
    if isinstance(raw, list):
        return [substitute(item, group_ids) for item in raw]
    return group_ids.get(raw, raw) if isinstance(raw, str) else raw
