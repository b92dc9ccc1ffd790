"""An array sent to PostgreSQL as its text (``keyed.array_text``) reads back as exactly the values sent,
whatever they hold: commas, braces, quotes, backslashes, spaces, the word NULL, the empty string, any
character PostgreSQL's text type can hold. The keys of every keyed lookup on PostgreSQL travel this way."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, String, any_, func, select

from constituent.kit.keyed import array_text, column_text, pg_array
from tests.conftest import TestDatabase

ON_POSTGRESQL = pytest.mark.parametrize("empty_db", ["postgresql"], indirect=True)
# PostgreSQL's text holds any character but NUL.
TEXTS = st.lists(st.text(alphabet=st.characters(blacklist_characters="\x00", codec="utf-8")), max_size=12)
# No deadline: each example is a round trip to PostgreSQL, which a loaded machine (the whole suite on two
# cores) held 326 ms once; what is tested is the values read back, never the time.
REUSED = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _read_back(db: TestDatabase, values: list[str] | list[int], item: String | Integer) -> list[object]:
    with db.engine.connect() as connection:
        return list(connection.scalars(select(func.unnest(pg_array(values, item)))))


@ON_POSTGRESQL
@REUSED
@given(values=TEXTS)
def test_any_strings_read_back_as_sent(empty_db: TestDatabase, values: list[str]) -> None:
    assert _read_back(empty_db, values, String()) == values


@ON_POSTGRESQL
@pytest.mark.parametrize(
    "values",
    [
        ["NULL", "null", "", " padded ", "a,b", "{braces}", 'say "hi"', "back\\slash", "\\", '"'],
        ["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"],  # hashes: no escaping
        [],
    ],
)
def test_the_strings_a_lookup_could_trip_on_read_back_as_sent(
    empty_db: TestDatabase, values: list[str]
) -> None:
    assert _read_back(empty_db, values, String()) == values


@ON_POSTGRESQL
@REUSED
@given(values=st.lists(st.integers(min_value=-(2**31), max_value=2**31 - 1), max_size=12))
def test_any_integers_read_back_as_sent(empty_db: TestDatabase, values: list[int]) -> None:
    assert _read_back(empty_db, values, Integer()) == values


@ON_POSTGRESQL
def test_the_array_is_read_once_as_a_constant_not_converted_for_every_row(empty_db: TestDatabase) -> None:
    """Sent typed as text, the CAST was a conversion the planner does not fold: a filter made it again for
    every row it compared (6 s for 7,000 ids against 20,161 ledger rows, 10 ms as a constant)."""
    numbers = func.generate_series(1, 50).table_valued("n").render_derived(name="numbers")
    query = select(numbers.c.n).where(numbers.c.n == any_(pg_array([3, 7], Integer())))
    with empty_db.engine.connect() as connection:
        compiled = query.compile(connection)
        sql, parameters = str(compiled), compiled.params
        plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + sql, parameters).scalars())
        found = list(connection.execute(query).scalars())
    assert found == [3, 7]
    assert "'{3,7}'::integer[]" in plan, plan
    assert "cstring" not in plan and "::text" not in plan, plan


def test_hashes_are_sent_as_one_quoted_list_and_quotes_are_escaped() -> None:
    assert array_text(["ab", "cd"]) == '{"ab","cd"}'
    assert array_text(['a"b', "c\\d"]) == '{"a\\"b","c\\\\d"}'
    assert array_text([3, 1, 2]) == "{3,1,2}"


# ``keyed.column_text``: a ledger column's values, None among them, as the bulk writes send them.
NULLABLE_TEXTS = st.lists(
    st.none() | st.text(alphabet=st.characters(blacklist_characters="\x00", codec="utf-8")), max_size=12
)
TIMES = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))


def _column_back(db: TestDatabase, values: list[Any], pg_type: str) -> list[Any]:
    with db.engine.connect() as connection:
        sent = {"values": column_text(values, pg_type)}
        return list(connection.exec_driver_sql(f"SELECT unnest(%(values)s::{pg_type}[])", sent).scalars())


@ON_POSTGRESQL
@REUSED
@given(values=NULLABLE_TEXTS)
def test_a_text_column_with_nulls_reads_back_as_sent(
    empty_db: TestDatabase, values: list[str | None]
) -> None:
    assert _column_back(empty_db, values, "text") == values


@ON_POSTGRESQL
@REUSED
@given(
    numbers=st.lists(st.none() | st.integers(min_value=-(2**31), max_value=2**31 - 1), max_size=12),
    flags=st.lists(st.none() | st.booleans(), max_size=12),
    times=st.lists(st.none() | TIMES, max_size=12),
)
def test_integer_boolean_and_time_columns_with_nulls_read_back_as_sent(
    empty_db: TestDatabase, numbers: list[int | None], flags: list[bool | None], times: list[datetime | None]
) -> None:
    assert _column_back(empty_db, numbers, "integer") == numbers
    assert _column_back(empty_db, flags, "boolean") == flags
    assert _column_back(empty_db, times, "timestamptz") == times


@ON_POSTGRESQL
def test_a_json_column_reads_back_as_the_json_sent(empty_db: TestDatabase) -> None:
    tags = ['["Gmail", "Major donors"]', "[]", '["say \\"hi\\"", "back\\\\slash"]']
    assert _column_back(empty_db, tags, "json") == [json.loads(t) for t in tags]
