"""Every operator on every field, and their combinations, against the same four contacts on both databases."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact, ContactKind
from constituent.crm.searches.compiler import compile_filter
from constituent.crm.searches.filters import parse_filter
from tests.crm.searches.helpers import (
    add_contact,
    add_email,
    add_gift,
    add_group,
    add_member,
    matching_ids,
)

TODAY = date(2026, 3, 15)
ADDRESS = {"country": "US"}


@pytest.fixture
def people(session: Session) -> dict[str, int]:
    """Four contacts chosen so each operator separates them; keys also name the two groups."""
    g1, g2 = add_group(session, "G1"), add_group(session, "G2")
    ann = add_contact(
        session, first_name="Ann", last_name="Lee", city="Springfield", state="IL", postal_code="62701",
        created_at="2026-01-10", updated_at="2026-03-01", **ADDRESS,
    )  # fmt: skip
    bob = add_contact(
        session, first_name="Bob", last_name="Leeds", city="springdale", state="AR", postal_code="72764",
        do_not_email=True, created_at="2025-06-01", updated_at="2025-06-01", **ADDRESS,
    )  # fmt: skip
    cat = add_contact(
        session, kind=ContactKind.organization, organization_name="Cat_Co 100%", state="IL", is_active=False,
        created_at="2026-01-11", updated_at="2026-01-11",
    )  # fmt: skip
    dan = add_contact(
        session, kind=ContactKind.vendor, first_name="Dan", last_name="O'Brien", organization_name="Dan's",
        city="Chicago", state="IL", postal_code="60601", created_at="2024-01-01", updated_at="2026-03-14",
        **ADDRESS,
    )  # fmt: skip
    add_email(session, ann, "ann@gmail.com", primary=True)
    add_email(session, ann, "ann@work.org")
    add_email(session, bob, "bob@yahoo.com", primary=True)
    add_email(session, dan, "dan@Mail.Gmail.com", primary=True)
    add_member(session, g1, ann)
    add_member(session, g1, bob, current=False)
    add_member(session, g2, bob)
    add_member(session, g2, dan, current=False)
    add_gift(session, ann, "100", "2025-03-01")
    add_gift(session, ann, "50.50", "2026-02-01")
    add_gift(session, bob, "1000", "2024-12-31")
    add_gift(session, dan, "0.10", "2026-01-05")
    add_gift(session, dan, "0.20", "2026-01-05")
    return {"ann": ann.id, "bob": bob.id, "cat": cat.id, "dan": dan.id, "G1": g1.id, "G2": g2.id}


def matches(session: Session, people: dict[str, int], raw: dict[str, Any]) -> set[str]:
    by_id = {contact_id: name for name, contact_id in people.items() if not name.startswith("G")}
    return {by_id[contact_id] for contact_id in matching_ids(session, _with_group_ids(raw, people), TODAY)}


def mismatches(session: Session, people: dict[str, int], cases: list[Case]) -> list[tuple[Any, ...]]:
    """Each case whose result differs from what was expected, with what it matched instead."""
    wrong = []
    for raw, expected in cases:
        got = matches(session, people, raw)
        if got != expected:
            wrong.append((raw, "expected", sorted(expected), "got", sorted(got)))
    return wrong


def _with_group_ids(raw: Any, people: dict[str, int]) -> Any:
    if isinstance(raw, dict):
        return {key: _with_group_ids(value, people) for key, value in raw.items()}
    if isinstance(raw, list):
        return [_with_group_ids(item, people) for item in raw]
    return people[raw] if raw in ("G1", "G2") else raw


def leaf(field: str, op: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    condition = {"field": field, "op": op, **extra}
    if value is not None:
        condition["value"] = value
    return condition


Case = tuple[dict[str, Any], set[str]]
EVERYONE = {"ann", "bob", "cat", "dan"}

TEXT_CASES: list[Case] = [
    (leaf("first_name", "eq", "Ann"), {"ann"}),
    (leaf("first_name", "eq", "ann"), set()),
    (leaf("first_name", "ne", "Ann"), {"bob", "cat", "dan"}),
    (leaf("last_name", "contains", "lee"), {"ann", "bob"}),
    (leaf("last_name", "starts_with", "LEE"), {"ann", "bob"}),
    (leaf("last_name", "contains", "'"), {"dan"}),
    (leaf("organization_name", "contains", "_co"), {"cat"}),
    (leaf("organization_name", "contains", "100%"), {"cat"}),
    (leaf("organization_name", "starts_with", "_"), set()),
    (leaf("organization_name", "contains", "n/s"), set()),
    (leaf("city", "starts_with", "spring"), {"ann", "bob"}),
    (leaf("city", "in", ["Chicago", "Springfield"]), {"ann", "dan"}),
    (leaf("city", "is_empty", True), {"cat"}),
    (leaf("city", "is_empty", False), {"ann", "bob", "dan"}),
    (leaf("state", "eq", "IL"), {"ann", "cat", "dan"}),
    (leaf("postal_code", "starts_with", "6"), {"ann", "dan"}),
    (leaf("country", "is_empty"), {"cat"}),
]

CHOICE_AND_FLAG_CASES: list[Case] = [
    (leaf("kind", "eq", "individual"), {"ann", "bob"}),
    (leaf("kind", "ne", "individual"), {"cat", "dan"}),
    (leaf("kind", "in", ["organization", "vendor"]), {"cat", "dan"}),
    (leaf("is_active", "eq", False), {"cat"}),
    (leaf("is_active", "ne", True), {"cat"}),
    (leaf("do_not_email", "eq", True), {"bob"}),
]

TIMESTAMP_CASES: list[Case] = [
    (leaf("created_at", "eq", "2026-01-10"), {"ann"}),
    (leaf("created_at", "ne", "2026-01-10"), {"bob", "cat", "dan"}),
    (leaf("created_at", "gt", "2026-01-10"), {"cat"}),
    (leaf("created_at", "gte", "2026-01-10"), {"ann", "cat"}),
    (leaf("created_at", "lt", "2026-01-10"), {"bob", "dan"}),
    (leaf("created_at", "lte", "2026-01-11"), EVERYONE),
    (leaf("created_at", "gte", {"days_ago": 64}), {"ann", "cat"}),
    (leaf("updated_at", "gte", "2026-03-01"), {"ann", "dan"}),
]

EMAIL_AND_GROUP_CASES: list[Case] = [
    (leaf("email_domain", "eq", "gmail.com"), {"ann"}),
    (leaf("email_domain", "eq", "GMAIL.COM"), {"ann"}),
    (leaf("email_domain", "ne", "gmail.com"), {"bob", "cat", "dan"}),
    (leaf("email_domain", "contains", "gmail"), {"ann", "dan"}),
    (leaf("email_domain", "starts_with", "work"), {"ann"}),
    (leaf("email_domain", "in", ["yahoo.com", "work.org"]), {"ann", "bob"}),
    (leaf("email_domain", "is_empty", True), {"cat"}),
    (leaf("email_domain", "is_empty", False), {"ann", "bob", "dan"}),
    (leaf("in_group", "eq", "G1"), {"ann"}),
    (leaf("in_group", "ne", "G1"), {"bob", "cat", "dan"}),
    (leaf("in_group", "in", ["G1", "G2"]), {"ann", "bob"}),
]

CONTRIBUTION_CASES: list[Case] = [
    (leaf("gift_count", "gte", 1), {"ann", "bob", "dan"}),
    (leaf("gift_count", "eq", 0), {"cat"}),
    (leaf("gift_count", "eq", 2), {"ann", "dan"}),
    (leaf("gift_count", "ne", 1), {"ann", "cat", "dan"}),
    (leaf("gift_count", "gt", 1), {"ann", "dan"}),
    (leaf("gift_count", "lt", 2), {"bob", "cat"}),
    (leaf("gift_count", "lte", 1), {"bob", "cat"}),
    (leaf("gift_count", "gte", 1, **{"from": "2026-01-01"}), {"ann", "dan"}),
    (leaf("gift_count", "eq", 0, **{"from": "2026-01-01"}), {"bob", "cat"}),
    (leaf("gift_count", "gte", 1, to="2024-12-31"), {"bob"}),
    (leaf("total_given", "gte", 1000), {"bob"}),
    (leaf("total_given", "gt", 150), {"ann", "bob"}),
    (leaf("total_given", "eq", "0.30"), {"dan"}),
    (leaf("total_given", "lt", 1), {"cat", "dan"}),
    (leaf("total_given", "eq", 0), {"cat"}),
    (leaf("total_given", "ne", 0), {"ann", "bob", "dan"}),
    (leaf("total_given", "lte", "150.50"), {"ann", "cat", "dan"}),
    (leaf("total_given", "gte", 50, **{"from": "2026-01-01", "to": "2026-12-31"}), {"ann"}),
    (leaf("total_given", "lt", 100, **{"from": "2025-01-01"}), {"bob", "cat", "dan"}),
    (leaf("last_gift_date", "eq", "2026-02-01"), {"ann"}),
    (leaf("last_gift_date", "ne", "2026-02-01"), {"bob", "dan"}),
    (leaf("last_gift_date", "gt", "2025-12-31"), {"ann", "dan"}),
    (leaf("last_gift_date", "gte", "2026-01-05"), {"ann", "dan"}),
    (leaf("last_gift_date", "lt", "2026-01-05"), {"bob"}),
    (leaf("last_gift_date", "lte", "2026-01-05"), {"bob", "dan"}),
    (leaf("last_gift_date", "gte", {"days_ago": 90}), {"ann", "dan"}),
    (leaf("last_gift_date", "is_empty", True), {"cat"}),
    (leaf("last_gift_date", "is_empty", False), {"ann", "bob", "dan"}),
    (leaf("last_gift_date", "lte", "2025-12-31", to="2025-12-31"), {"ann", "bob"}),
    (leaf("last_gift_date", "is_empty", True, **{"from": "2026-01-01"}), {"bob", "cat"}),
]

COMBINATION_CASES: list[Case] = [
    ({"all": []}, EVERYONE),
    ({"any": []}, set()),
    ({"all": [leaf("state", "eq", "IL"), leaf("kind", "eq", "individual")]}, {"ann"}),
    ({"any": [leaf("do_not_email", "eq", True), leaf("is_active", "eq", False)]}, {"bob", "cat"}),
    ({"not": leaf("state", "eq", "IL")}, {"bob"}),
    ({"not": {"any": [leaf("in_group", "eq", "G1"), leaf("kind", "eq", "organization")]}}, {"bob", "dan"}),
    (
        {
            "all": [
                {"any": [leaf("city", "starts_with", "spring"), leaf("email_domain", "contains", "gmail")]},
                {"not": leaf("total_given", "gte", 1000)},
            ]
        },
        {"ann", "dan"},
    ),
    ({"not": {"not": leaf("gift_count", "eq", 0)}}, {"cat"}),
]


def test_text_fields_match_exactly_or_ignoring_case_with_wildcards_taken_literally(
    session: Session, people: dict[str, int]
) -> None:
    assert mismatches(session, people, TEXT_CASES) == []


def test_kind_and_flags_match_their_values(session: Session, people: dict[str, int]) -> None:
    assert mismatches(session, people, CHOICE_AND_FLAG_CASES) == []


def test_timestamps_compare_by_whole_utc_days(session: Session, people: dict[str, int]) -> None:
    assert mismatches(session, people, TIMESTAMP_CASES) == []


def test_email_domains_look_at_any_email_and_groups_at_current_memberships(
    session: Session, people: dict[str, int]
) -> None:
    assert mismatches(session, people, EMAIL_AND_GROUP_CASES) == []


def test_contribution_facts_count_only_gifts_in_the_date_range(
    session: Session, people: dict[str, int]
) -> None:
    assert mismatches(session, people, CONTRIBUTION_CASES) == []


def test_all_any_and_not_combine_conditions(session: Session, people: dict[str, int]) -> None:
    assert mismatches(session, people, COMBINATION_CASES) == []


HOSTILE_VALUES = ["'; DROP TABLE contacts; --", "' OR '1'='1", 'x" OR 1=1 --', "%' OR 1=1 --", "\\'"]


def test_sql_looking_values_are_only_ever_compared_as_data(session: Session, people: dict[str, int]) -> None:
    for value in HOSTILE_VALUES:
        assert matches(session, people, hostile_search(value)) == set()
    assert session.scalar(select(func.count()).select_from(Contact)) == 4


def hostile_search(value: str) -> dict[str, Any]:
    return {
        "any": [
            leaf("first_name", "eq", value),
            leaf("last_name", "contains", value),
            leaf("city", "starts_with", value),
            leaf("email_domain", "eq", value),
            leaf("state", "in", [value]),
        ]
    }


def test_the_compiled_query_carries_values_as_bound_parameters(
    session: Session, people: dict[str, int]
) -> None:
    from constituent.crm.searches.compiler import compile_filter
    from constituent.crm.searches.filters import parse_filter

    query = compile_filter(parse_filter(leaf("city", "eq", "Robert'); DROP")), today=TODAY)
    compiled = query.compile(session.get_bind())
    assert "DROP" not in str(compiled)
    assert "Robert'); DROP" in compiled.params.values()


def test_one_contact_can_be_checked_alone(session: Session, people: dict[str, int]) -> None:
    donors = parse_filter(leaf("total_given", "gte", 100))
    assert set(session.scalars(compile_filter(donors, today=TODAY, contact_id=people["ann"]))) == {
        people["ann"]
    }
    assert set(session.scalars(compile_filter(donors, today=TODAY, contact_id=people["dan"]))) == set()
