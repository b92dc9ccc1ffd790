"""The sizes of a run's slices (``slices.slice_sizes``): a run of several slices starts small, so its
first request goes out after a quarter of a slice is planned, not a whole one."""

from __future__ import annotations

from itertools import islice

from hypothesis import given
from hypothesis import strategies as st

from constituent.integrations.mailchimp.sync.slices import cut, slice_count, slice_sizes


def test_a_run_that_fits_in_one_slice_is_one_slice() -> None:
    assert slice_count(20_000, 20_000) == 1
    assert slice_count(20_000, 0) == 1
    assert list(cut(list(range(7)), 20_000)) == [list(range(7))]


def test_a_larger_run_starts_with_a_quarter_then_half_a_slice() -> None:
    assert list(islice(slice_sizes(20_000, 29_283), 4)) == [5_000, 10_000, 20_000, 20_000]
    assert slice_count(20_000, 29_283) == 3
    assert [len(ids) for ids in cut(list(range(29_283)), 20_000)] == [5_000, 10_000, 14_283]


def test_no_candidate_is_left_out_and_none_comes_twice_with_an_empty_first_slice() -> None:
    assert list(cut([], 3)) == [[]]


@given(st.integers(min_value=1, max_value=50), st.lists(st.integers(), max_size=400))
def test_cut_gives_every_candidate_once_in_order_in_slices_no_larger_than_the_size(
    size: int, candidates: list[int]
) -> None:
    slices = list(cut(candidates, size))

    assert [c for part in slices for c in part] == candidates
    assert len(slices) == slice_count(size, len(candidates))
    assert all(len(part) <= size for part in slices)
    assert all(part for part in slices[1:]), "only a run with no candidates has an empty slice"
    assert (len(slices) == 1) == (len(candidates) <= size)
