"""A member's fingerprint (``types.fingerprint``): stored in the ledger and compared at every run, so its
text must never change. It is built with json's C encoder made once (``canonical_json``); a property test
holds that to what ``json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)`` writes."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from constituent.integrations.mailchimp.sync.types import canonical_json, fingerprint

_STDLIB = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),  # accents, quotes, control characters, emoji
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=6),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=10), _values, max_size=8))
def test_the_canonical_text_is_the_standard_encoders_with_sorted_keys(value: dict[str, Any]) -> None:
    assert canonical_json(value) == _STDLIB.encode(value)


def test_a_fingerprint_is_the_digest_it_has_always_been() -> None:
    # Written out by hand: a change here would make every stored member look changed to the next run.
    merge_fields = {
        "FNAME": "Zoë",
        "LNAME": "O'Brien",
        "ADDRESS": {"addr1": "1 Elm St", "city": "Springfield", "country": "US"},
        "BIRTHDAY": date(1990, 5, 17),
        "AMOUNT": Decimal("12.50"),
    }
    text = (
        '{"email":"zoe@example.org","interests":{"a1":true,"b2":false},"merge_fields":'
        '{"ADDRESS":{"addr1":"1 Elm St","city":"Springfield","country":"US"},"AMOUNT":"12.50",'
        '"BIRTHDAY":"1990-05-17","FNAME":"Zo\\u00eb","LNAME":"O\'Brien"}}'
    )
    expected = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    assert fingerprint(" Zoe@Example.org ", merge_fields, {"b2": False, "a1": True}) == expected
