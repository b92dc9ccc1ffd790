"""Parsing filters: bad input is refused with the path of the wrong part and a plain message."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from constituent.crm.errors import InvalidInput
from constituent.crm.searches.filters import (
    AllOf,
    AnyOf,
    Condition,
    DaysAgo,
    FilterError,
    Not,
    Op,
    parse_filter,
)


def error_for(raw: Any) -> FilterError:
    with pytest.raises(FilterError) as caught:
        parse_filter(raw)
    return caught.value


def test_a_valid_tree_becomes_typed_nodes() -> None:
    node = parse_filter(
        {
            "all": [
                {"field": "state", "op": "eq", "value": "IL"},
                {"not": {"field": "total_given", "op": "gte", "value": "250", "from": {"days_ago": 30}}},
                {"any": [{"field": "created_at", "op": "lt", "value": "2025-01-31"}]},
            ]
        }
    )
    assert isinstance(node, AllOf)
    state, negated, either = node.children
    assert isinstance(state, Condition) and state.field.name == "state" and state.value == "IL"
    assert isinstance(negated, Not) and isinstance(negated.child, Condition)
    assert negated.child.value == Decimal("250.00") and negated.child.date_from == DaysAgo(30)
    assert isinstance(either, AnyOf)
    assert either.children[0] == parse_filter({"field": "created_at", "op": "lt", "value": "2025-01-31"})


def test_relative_dates_resolve_against_the_given_day() -> None:
    node = parse_filter({"field": "last_gift_date", "op": "gte", "value": {"days_ago": 90}})
    assert isinstance(node, Condition) and isinstance(node.value, DaysAgo)
    assert node.value.resolve(date(2026, 3, 31)) == date(2025, 12, 31)


def test_is_empty_needs_no_value() -> None:
    node = parse_filter({"field": "city", "op": "is_empty"})
    assert isinstance(node, Condition) and node.op is Op.is_empty and node.value is True


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ([], "", "expected an object"),
        ({}, "", "exactly one of"),
        ({"all": [], "any": []}, "", "exactly one of"),
        ({"every": []}, "", "exactly one of"),
        ({"all": {"field": "city"}}, "all", "list"),
        ({"all": [{"field": "city", "op": "eq", "value": "X"}, 3]}, "all[1]", "expected an object"),
        (
            {"all": [{"all": []}, {"any": []}, {"field": "colour", "op": "eq", "value": "red"}]},
            "all[2].field",
            "unknown field 'colour'",
        ),
        ({"field": "city", "op": "like", "value": "X"}, "op", "unknown operator 'like'"),
        ({"field": "is_active", "op": "contains", "value": "t"}, "op", "does not apply to is_active"),
        (
            {"field": "gift_count", "op": "starts_with", "value": "1"},
            "op",
            "accepts: eq, gt, gte, lt, lte, ne",
        ),
        ({"field": "city", "op": "eq"}, "value", "value is required"),
        ({"field": "city", "op": "eq", "value": 7}, "value", "expected a string"),
        ({"field": "is_active", "op": "eq", "value": "yes"}, "value", "true or false"),
        ({"field": "gift_count", "op": "gte", "value": True}, "value", "whole number"),
        ({"field": "gift_count", "op": "gte", "value": 1.5}, "value", "whole number"),
        ({"field": "gift_count", "op": "gte", "value": -1}, "value", "out of range"),
        ({"field": "total_given", "op": "gte", "value": "lots"}, "value", "not an amount"),
        ({"field": "total_given", "op": "gte", "value": "NaN"}, "value", "not a usable amount"),
        ({"field": "kind", "op": "eq", "value": "person"}, "value", "unknown contact kind 'person'"),
        ({"field": "created_at", "op": "gt", "value": "2025-02-30"}, "value", "is not a date"),
        ({"field": "created_at", "op": "gt", "value": 20250201}, "value", "YYYY-MM-DD"),
        ({"field": "created_at", "op": "gt", "value": {"days": 3}}, "value", "days_ago"),
        ({"field": "created_at", "op": "gt", "value": {"days_ago": -3}}, "value.days_ago", "between 0"),
        ({"field": "city", "op": "in", "value": "Chicago"}, "value", "non-empty list"),
        ({"field": "city", "op": "in", "value": []}, "value", "non-empty list"),
        ({"field": "city", "op": "in", "value": ["A", 2]}, "value[1]", "expected a string"),
        ({"field": "in_group", "op": "in", "value": [1, "2"]}, "value[1]", "whole number"),
        ({"field": "city", "op": "is_empty", "value": "yes"}, "value", "true or false"),
        (
            {"field": "city", "op": "eq", "value": "X", "from": "2025-01-01"},
            "from",
            "does not take a date range",
        ),
        ({"field": "gift_count", "op": "gte", "value": 1, "to": "soon"}, "to", "is not a date"),
        ({"field": "city", "op": "eq", "value": "X", "weight": 2}, "weight", "unknown key 'weight'"),
        ({"not": {"not": {"field": "city", "op": "eq", "value": None}}}, "not.not.value", "got null"),
    ],
)
def test_bad_filters_name_the_wrong_part(raw: Any, path: str, words: str) -> None:
    error = error_for(raw)
    assert error.path == path
    assert words in error.message


def test_a_filter_error_is_an_invalid_input_naming_the_filter_field() -> None:
    error = error_for({"any": [{"field": "city", "op": "eq", "value": 1}]})
    assert isinstance(error, InvalidInput)
    assert error.field == "filter.any[0].value"
    assert str(error).startswith("filter.any[0].value: expected a string")


def test_absurdly_deep_or_long_filters_are_refused() -> None:
    deep: dict[str, Any] = {"field": "city", "op": "eq", "value": "X"}
    for _ in range(30):
        deep = {"not": deep}
    assert "nested more than" in error_for(deep).message
    many = {"field": "city", "op": "in", "value": ["X"] * 1001}
    assert "at most 1000" in error_for(many).message
    assert "longer than" in error_for({"field": "city", "op": "eq", "value": "x" * 1000}).message
