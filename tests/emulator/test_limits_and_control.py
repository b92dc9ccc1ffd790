"""The connection cap, injected faults, request counts, and state that survives a restart."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mailchimp_emulator import persistence
from mailchimp_emulator.config import EmulatorConfig
from mailchimp_emulator.hashing import subscriber_hash
from mailchimp_emulator.state import Store
from tests.support.emulator import RunningEmulator, account_on

Factory = Callable[..., RunningEmulator]


@pytest.mark.slow
def test_more_than_the_allowed_simultaneous_requests_get_429(emulator_factory: Factory) -> None:
    running = emulator_factory(EmulatorConfig(latency_ms=1500, max_connections=10))
    api_key = running.create_account()["api_key"]

    async def fire_fourteen() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=20)
        async with httpx.AsyncClient(
            base_url=running.api_base, auth=("x", api_key), limits=limits, timeout=20
        ) as c:
            return await asyncio.gather(*(c.get("/ping") for _ in range(14)))

    responses = asyncio.run(fire_fourteen())
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 10
    assert statuses.count(429) == 4
    throttled = next(r for r in responses if r.status_code == 429).json()
    assert throttled["title"] == "Too Many Requests"
    assert throttled["detail"] == "You have exceeded the limit of 10 simultaneous connections."


def test_faults_inject_errors_throttling_and_resets(emulator_factory: Factory) -> None:
    running = emulator_factory()
    account = account_on(running)
    running.control("PUT", "faults", {"error_rate": 1.0, "error_statuses": [503], "seed": 7})
    assert account.client.get("/ping").status_code == 503
    running.control("PUT", "faults", {"throttle_rate": 1.0})
    assert account.client.get("/ping").status_code == 429
    running.control("PUT", "faults", {"reset_rate": 1.0})
    with pytest.raises(httpx.RemoteProtocolError):
        account.client.get("/ping")
    running.control("PUT", "faults", {})
    assert account.client.get("/ping").status_code == 200


def test_stats_count_api_calls_by_route_template(emulator: RunningEmulator) -> None:
    account = account_on(emulator)
    list_id = account.new_list()["id"]
    for email in ("a@mailbox.org", "b@mailbox.org"):
        account.client.put(
            f"/lists/{list_id}/members/{subscriber_hash(email)}",
            json={"email_address": email, "status_if_new": "subscribed"},
        )
    stats = emulator.control("GET", "stats", account_id=account.account_id)
    assert stats["requests"] == {
        "POST /3.0/lists": 1,
        "PUT /3.0/lists/{list_id}/members/{subscriber_hash}": 2,
    }
    assert stats["total"] == 3


def test_a_bad_fault_setting_names_the_field(emulator: RunningEmulator) -> None:
    response = emulator.http.put("/_emulator/faults", json={"error_rate": 2})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "error_rate"


def test_state_saved_at_shutdown_is_loaded_at_start(emulator_factory: Factory, tmp_path: Path) -> None:
    state_file = tmp_path / "state.jsonl.gz"
    first = emulator_factory(EmulatorConfig(state_file=state_file))
    account = account_on(first)
    list_id = account.new_list()["id"]
    members = [
        {
            "email_address": "a@mailbox.org",
            "status": "subscribed",
            "tags": ["Donor"],
            "merge_fields": {"FNAME": "Ada"},
        }
    ]
    account.client.post(f"/lists/{list_id}", json={"members": members})
    account.client.post(
        f"/lists/{list_id}/members/{subscriber_hash('a@mailbox.org')}/actions/delete-permanent"
    )
    account.client.post(
        f"/lists/{list_id}",
        json={"members": [{"email_address": "b@mailbox.org", "status": "subscribed", "tags": ["Donor"]}]},
    )
    first.stop()

    second = emulator_factory(EmulatorConfig(state_file=state_file))
    with second.api_client(account.api_key) as client:
        member = client.get(f"/lists/{list_id}/members/b@mailbox.org").json()
        assert [t["name"] for t in member["tags"]] == ["Donor"]
        again = client.post(
            f"/lists/{list_id}/members", json={"email_address": "a@mailbox.org", "status": "subscribed"}
        )
        assert again.json()["title"] == "Forgotten Email Not Subscribed"


def test_a_file_that_is_not_a_state_file_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gz"
    with gzip.open(bogus, "wt") as out:
        out.write('{"format": "something else"}\n')
    with pytest.raises(persistence.StateFileError):
        persistence.load(bogus, Store())


def test_reset_forgets_every_account(emulator_factory: Factory) -> None:
    running = emulator_factory()
    account = account_on(running)
    running.control("POST", "reset")
    assert account.client.get("/ping").status_code == 401
