"""The member listing keeps each query's filtered, sorted result between pages; every kind of member change
between two pages of one query shows on the next page (the cache never serves a stale listing), and a saved
state file holds no cache."""

from __future__ import annotations

import gzip
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from mailchimp_emulator import persistence
from mailchimp_emulator.clock import now
from mailchimp_emulator.state import Store
from tests.support.emulator import McAccount

SUBSCRIBED = {"status": "subscribed", "count": 2}


def _listed(account: McAccount, list_id: str, **params: Any) -> tuple[int, list[str]]:
    """total_items and every address of the query, read page by page as a client pages."""
    emails: list[str] = []
    offset, total = 0, 1
    while offset < total:
        response = account.client.get(f"/lists/{list_id}/members", params={**params, "offset": offset})
        assert response.status_code == 200, response.text
        body = response.json()
        total = body["total_items"]
        emails += [m["email_address"] for m in body["members"]]
        offset += params.get("count", 10)
    return total, emails


def _audience(account: McAccount, *emails: str) -> str:
    list_id = account.new_list()["id"]
    for email in emails:
        body = {"email_address": email, "status": "subscribed"}
        assert account.client.post(f"/lists/{list_id}/members", json=body).status_code == 200
    return list_id


def test_pages_of_one_query_come_from_one_listing_in_a_stable_order(mc_account: McAccount) -> None:
    emails = [f"m{n}@mailbox.org" for n in range(5)]
    list_id = _audience(mc_account, *emails)

    first = _listed(mc_account, list_id, **SUBSCRIBED)

    assert first == (5, emails)
    assert _listed(mc_account, list_id, **SUBSCRIBED) == first
    assert mc_account.emulator.store.lists[list_id].listings  # kept for the next page


def test_a_member_added_status_changed_or_archived_between_pages_shows_on_the_next(
    mc_account: McAccount,
) -> None:
    list_id = _audience(mc_account, "a@mailbox.org", "b@mailbox.org", "c@mailbox.org")
    client = mc_account.client
    assert _listed(mc_account, list_id, **SUBSCRIBED)[0] == 3

    client.post(f"/lists/{list_id}/members", json={"email_address": "d@mailbox.org", "status": "subscribed"})
    assert _listed(mc_account, list_id, **SUBSCRIBED)[1][-1] == "d@mailbox.org"
    client.patch(f"/lists/{list_id}/members/a@mailbox.org", json={"status": "unsubscribed"})
    assert "a@mailbox.org" not in _listed(mc_account, list_id, **SUBSCRIBED)[1]
    client.delete(f"/lists/{list_id}/members/b@mailbox.org")
    assert _listed(mc_account, list_id, **SUBSCRIBED) == (2, ["c@mailbox.org", "d@mailbox.org"])
    client.post(f"/lists/{list_id}/members/c@mailbox.org/actions/delete-permanent")
    assert _listed(mc_account, list_id, **SUBSCRIBED) == (1, ["d@mailbox.org"])


def test_a_new_address_or_a_tag_between_pages_shows_on_the_next(mc_account: McAccount) -> None:
    list_id = _audience(mc_account, "a@mailbox.org", "b@mailbox.org")
    members = mc_account.emulator.store.lists[list_id].members
    # Mailchimp's clock (and the emulator's) counts whole seconds: the changes below come a second later.
    moment = max(m.last_changed for m in members.values()) + timedelta(seconds=1)
    since = {"since_last_changed": moment.isoformat(), "count": 2}
    assert _listed(mc_account, list_id, **SUBSCRIBED)[1] == ["a@mailbox.org", "b@mailbox.org"]
    assert _listed(mc_account, list_id, **since) == (0, [])
    while now() < moment:
        time.sleep(0.05)

    renamed = {"email_address": "z@mailbox.org"}
    assert mc_account.client.patch(f"/lists/{list_id}/members/a@mailbox.org", json=renamed).status_code == 200
    assert _listed(mc_account, list_id, **SUBSCRIBED)[1] == ["b@mailbox.org", "z@mailbox.org"]
    tag = {"tags": [{"name": "VIP", "status": "active"}]}
    assert mc_account.client.post(f"/lists/{list_id}/members/b@mailbox.org/tags", json=tag).status_code == 204
    assert _listed(mc_account, list_id, **since) == (2, ["b@mailbox.org", "z@mailbox.org"])


def test_a_saved_state_holds_no_listing_and_loads_with_an_empty_one(
    mc_account: McAccount, tmp_path: Path
) -> None:
    list_id = _audience(mc_account, "a@mailbox.org")
    _listed(mc_account, list_id, **SUBSCRIBED)
    path = tmp_path / "state.jsonl.gz"

    persistence.save(mc_account.emulator.store, path)
    loaded = Store()
    persistence.load(path, loaded)

    with gzip.open(path, "rt", encoding="utf-8") as saved:
        assert not any("listings" in line for line in saved)
    assert loaded.lists[list_id].listings == {}
    assert list(loaded.lists[list_id].members) == list(mc_account.emulator.store.lists[list_id].members)
