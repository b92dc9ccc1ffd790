"""The members by status and the interests' counts are made once while an audience's members stay the same
(``mailchimp_emulator.member_index``): every answer that reads them equals a pass over every member, and a
change of any member shows in the next answer."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mailchimp_emulator.member_index import MemberIndex
from mailchimp_emulator.state import ALL_STATUSES, Member
from tests.support.emulator import McAccount

START = datetime(2026, 1, 1, tzinfo=UTC)
INTERESTS = ("i1", "i2", "i3")

members = st.lists(
    st.builds(
        lambda n, status, m, ticks: Member(
            f"{n:032x}", f"m{n}@mailbox.org", f"u{n}", n, status, START + timedelta(minutes=m), {}, ticks
        ),
        st.integers(0, 10**6),
        st.sampled_from(ALL_STATUSES),
        st.integers(0, 100),
        st.none() | st.dictionaries(st.sampled_from(INTERESTS), st.booleans()),
    ),
    max_size=40,
    unique_by=lambda m: m.id,
)


@given(members)
@settings(max_examples=200)
def test_the_index_holds_each_status_in_the_audiences_order_and_counts_ticked_interests(
    audience: list[Member],
) -> None:
    index = MemberIndex.of(audience)

    for status in ALL_STATUSES:
        assert index.with_status(status) == [m for m in audience if m.status == status]
    expected = Counter(key for m in audience for key, ticked in (m.interests or {}).items() if ticked)
    assert {key: index.interest_counts[key] for key in INTERESTS} == {key: expected[key] for key in INTERESTS}


def _interest(account: McAccount, list_id: str, name: str) -> tuple[str, str]:
    client = account.client
    categories = f"/lists/{list_id}/interest-categories"
    if not (category := client.get(categories).json()["categories"]):
        category = [client.post(categories, json={"title": "Topics", "type": "checkboxes"}).json()]
    category_id = category[0]["id"]
    interest = client.post(f"{categories}/{category_id}/interests", json={"name": name}).json()
    return category_id, interest["id"]


def _counts(account: McAccount, list_id: str, category_id: str) -> dict[str, str]:
    answer = account.client.get(f"/lists/{list_id}/interest-categories/{category_id}/interests").json()
    return {i["name"]: i["subscriber_count"] for i in answer["interests"]}


def _member(account: McAccount, list_id: str, email: str, **body: Any) -> None:
    answer = account.client.put(f"/lists/{list_id}/members/{email}", json={"email_address": email, **body})
    assert answer.status_code == 200, answer.text


def test_interest_counts_follow_every_tick_untick_and_deleted_interest(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    category_id, housing = _interest(mc_account, list_id, "Housing")
    _, parks = _interest(mc_account, list_id, "Parks")
    _member(mc_account, list_id, "a@mailbox.org", status_if_new="subscribed", interests={housing: True})
    assert _counts(mc_account, list_id, category_id) == {"Housing": "1", "Parks": "0"}

    _member(mc_account, list_id, "b@mailbox.org", status_if_new="unsubscribed", interests={housing: True})
    _member(mc_account, list_id, "a@mailbox.org", interests={housing: False, parks: True})
    assert _counts(mc_account, list_id, category_id) == {"Housing": "1", "Parks": "1"}

    mc_account.client.delete(f"/lists/{list_id}/interest-categories/{category_id}/interests/{housing}")
    _, again = _interest(mc_account, list_id, "Housing")
    assert _counts(mc_account, list_id, category_id) == {"Parks": "1", "Housing": "0"}
    assert again != housing


def test_the_audiences_counts_follow_status_changes(mc_account: McAccount) -> None:
    list_id = mc_account.new_list()["id"]
    for email in ("a@mailbox.org", "b@mailbox.org", "c@mailbox.org"):
        _member(mc_account, list_id, email, status_if_new="subscribed")
    stats = mc_account.client.get(f"/lists/{list_id}").json()["stats"]
    assert (stats["member_count"], stats["unsubscribe_count"], stats["cleaned_count"]) == (3, 0, 0)

    _member(mc_account, list_id, "a@mailbox.org", status="unsubscribed")
    mc_account.client.delete(f"/lists/{list_id}/members/b@mailbox.org")
    stats = mc_account.client.get(f"/lists/{list_id}").json()["stats"]
    assert (stats["member_count"], stats["unsubscribe_count"], stats["cleaned_count"]) == (1, 1, 0)


def test_a_reconciles_queries_read_one_index_until_a_member_changes(mc_account: McAccount) -> None:
    """The six status queries and the interests of a nightly run, answered from one pass."""
    list_id = mc_account.new_list()["id"]
    category_id, housing = _interest(mc_account, list_id, "Housing")
    _member(mc_account, list_id, "a@mailbox.org", status_if_new="subscribed", interests={housing: True})
    audience = mc_account.emulator.store.lists[list_id]
    since = (START - timedelta(days=1)).isoformat()

    answers = []
    for status in ALL_STATUSES:
        query = {"status": status, "since_last_changed": since, "count": 10}
        answers.append(mc_account.client.get(f"/lists/{list_id}/members", params=query).json()["total_items"])
        index = audience.index
        assert index is not None
    assert _counts(mc_account, list_id, category_id) == {"Housing": "1"}
    assert audience.index is index
    assert answers == [1, 0, 0, 0, 0, 0]

    _member(mc_account, list_id, "a@mailbox.org", status="unsubscribed")
    assert audience.index is None
    query = {"status": "unsubscribed", "since_last_changed": since}
    assert mc_account.client.get(f"/lists/{list_id}/members", params=query).json()["total_items"] == 1
