"""The HTTP seam against the emulator over real HTTP: retries, typed errors, the connection cap."""

from __future__ import annotations

import asyncio
import importlib.abc
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic_core import to_json

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.client import Credentials, MailchimpClient, RetryPolicy
from constituent.integrations.mailchimp.limiter import CrossLoopLimiter
from constituent.integrations.mailchimp.responses import MembersPage
from constituent.kit.settings import reset_settings_cache
from mailchimp_emulator.config import EmulatorConfig
from tests.support.emulator import RunningEmulator, account_on, list_body

FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.05)


def _client(emulator: RunningEmulator, api_key: str, **kwargs: Any) -> MailchimpClient:
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("limiter", CrossLoopLimiter(10))
    return MailchimpClient(Credentials("api_key", api_key, emulator.api_base), **kwargs)


def _run(coro_factory: Callable[[], Any]) -> Any:
    return asyncio.run(coro_factory())


def test_server_errors_and_resets_are_retried_until_they_succeed(
    emulator_factory: Callable[..., RunningEmulator],
) -> None:
    emulator = emulator_factory()
    account = account_on(emulator)
    audience = account.new_list()
    emulator.control(
        "PUT", "faults", {"error_rate": 0.3, "throttle_rate": 0.1, "reset_rate": 0.05, "seed": 7}
    )

    async def scenario() -> MailchimpClient:
        async with _client(emulator, account.api_key) as client:
            for _ in range(30):
                body = await client.request("GET", f"/lists/{audience['id']}", params={"fields": "id"})
                assert body == {"id": audience["id"]}
            return client

    client = _run(scenario)
    assert client.stats.retries > 0
    assert client.stats.reads == 30 + client.stats.retries


def test_a_client_error_is_not_retried_and_comes_back_typed(emulator: RunningEmulator) -> None:
    account = account_on(emulator)

    async def scenario() -> MailchimpClient:
        async with _client(emulator, account.api_key) as client:
            with pytest.raises(errors.NotFound) as raised:
                await client.request("GET", "/lists/0000000000")
            assert raised.value.title == "Resource Not Found"
            return client

    client = _run(scenario)
    assert (client.stats.reads, client.stats.retries) == (1, 0)


def test_a_creation_is_not_retried_after_a_server_error_so_it_cannot_happen_twice(
    emulator_factory: Callable[..., RunningEmulator],
) -> None:
    emulator = emulator_factory()
    account = account_on(emulator)
    emulator.control("PUT", "faults", {"error_rate": 1.0, "error_statuses": [500]})

    async def scenario() -> MailchimpClient:
        async with _client(emulator, account.api_key) as client:
            with pytest.raises(errors.ServerError):
                await client.request("POST", "/lists", json=list_body(), idempotent=False)
            return client

    assert _run(scenario).stats.writes == 1


@pytest.mark.slow
def test_at_most_ten_requests_are_in_flight_so_mailchimp_never_answers_429(
    emulator_factory: Callable[..., RunningEmulator],
) -> None:
    emulator = emulator_factory(EmulatorConfig(latency_ms=100, max_connections=10))
    account = account_on(emulator)
    # Never retry: a single 429 would fail the test.
    no_retry = RetryPolicy(max_attempts=1)

    async def scenario() -> None:
        async with _client(emulator, account.api_key, retry=no_retry) as client:
            await asyncio.gather(*(client.request("GET", "/ping") for _ in range(40)))

    _run(scenario)
    assert emulator.control("GET", "stats")["requests"]["GET /3.0/ping"] == 40


def test_status_refusals_come_back_as_their_own_exception_types(emulator: RunningEmulator) -> None:
    account = account_on(emulator)
    audience = account.new_list()
    email = "walked.away@mailbox.org"
    member = f"/lists/{audience['id']}/members/{subscriber_hash(email)}"
    account.client.put(member, json={"email_address": email, "status_if_new": "subscribed"})
    emulator.control(
        "POST", f"lists/{audience['id']}/members/{subscriber_hash(email)}/unsubscribe", {"reason": "manual"}
    )

    async def scenario() -> None:
        async with _client(emulator, account.api_key) as client:
            with pytest.raises(errors.MemberInComplianceState) as compliance:
                await client.request("PATCH", member, json={"status": "subscribed"})
            assert "compliance state" in compliance.value.describe()
            with pytest.raises(errors.MemberExists):
                await client.request(
                    "POST",
                    f"/lists/{audience['id']}/members",
                    json={"email_address": email, "status": "subscribed"},
                )
            await client.request("POST", f"{member}/actions/delete-permanent")
            with pytest.raises(errors.ForgottenEmail):
                await client.request(
                    "PUT", member, json={"email_address": email, "status_if_new": "subscribed"}
                )

    _run(scenario)


def test_invalid_merge_values_name_the_field(emulator: RunningEmulator) -> None:
    account = account_on(emulator)
    audience = account.new_list()
    account.client.post(
        f"/lists/{audience['id']}/merge-fields", json={"tag": "SCORE", "name": "Score", "type": "number"}
    )

    async def scenario() -> None:
        async with _client(emulator, account.api_key) as client:
            with pytest.raises(errors.InvalidResource) as invalid:
                await client.request(
                    "POST",
                    f"/lists/{audience['id']}/members",
                    json={
                        "email_address": "a@mailbox.org",
                        "status": "subscribed",
                        "merge_fields": {"SCORE": "high"},
                    },
                )
            assert [e.field for e in invalid.value.field_errors] == ["SCORE"]

    _run(scenario)


def test_a_bad_key_is_an_auth_error(emulator: RunningEmulator) -> None:
    async def scenario() -> None:
        async with _client(emulator, "f" * 32 + "-us1") as client:
            with pytest.raises(errors.AuthError):
                await client.request("GET", "/")

    _run(scenario)


def test_pages_walk_a_collection_in_order_with_fields_filtered_and_typed(emulator: RunningEmulator) -> None:
    account = account_on(emulator)
    audience = account.new_list()
    members = [{"email_address": f"p{i}@mailbox.org", "status": "subscribed"} for i in range(25)]
    account.client.post(f"/lists/{audience['id']}", json={"members": members})

    async def scenario() -> list[tuple[int, MembersPage]]:
        async with _client(emulator, account.api_key) as client:
            return [
                page
                async for page in client.pages(
                    f"/lists/{audience['id']}/members",
                    MembersPage,
                    fields="members.id,members.email_address,members.status",
                    page_size=10,
                    in_flight=2,
                )
            ]

    pages = _run(scenario)
    assert [(offset, len(page.members)) for offset, page in pages] == [(0, 10), (10, 10), (20, 5)]
    assert {m.email_address for _, page in pages for m in page.members} == {
        m["email_address"] for m in members
    }
    assert all(
        m.merge_fields == {} and m.tags == [] for _, page in pages for m in page.members
    )  # not asked for


def test_pages_start_at_an_offset_and_collect_gathers_every_item(emulator: RunningEmulator) -> None:
    account = account_on(emulator)
    audience = account.new_list()
    members = [{"email_address": f"q{i}@mailbox.org", "status": "subscribed"} for i in range(12)]
    account.client.post(f"/lists/{audience['id']}", json={"members": members})
    path = f"/lists/{audience['id']}/members"
    fields = "members.id,members.email_address,members.status"

    async def scenario() -> tuple[list[int], int]:
        async with _client(emulator, account.api_key) as client:
            offsets = [
                o async for o, _ in client.pages(path, MembersPage, fields=fields, page_size=5, start=5)
            ]
            return offsets, len(await client.collect(path, MembersPage, fields=fields))

    offsets, collected = _run(scenario)
    assert offsets == [5, 10]
    assert collected == 12


def test_a_403_without_a_json_body_is_throttling_and_retried_not_a_rejected_key(
    emulator_factory: Callable[..., RunningEmulator],
) -> None:
    """Mailchimp's docs (API-NOTES §4): "at exceptionally high volumes … 429 or 403 without a JSON body".
    Only a 401 or a JSON "API Key Invalid" means the credentials are wrong."""
    emulator = emulator_factory()
    account = account_on(emulator)
    audience = account.new_list()
    emulator.control("PUT", "faults", {"throttle_rate": 0.5, "throttle_status": 403, "seed": 3})

    async def retried() -> MailchimpClient:
        async with _client(emulator, account.api_key) as client:
            for _ in range(10):
                body = await client.request("GET", f"/lists/{audience['id']}", params={"fields": "id"})
                assert body == {"id": audience["id"]}
            return client

    client = _run(retried)
    assert client.stats.errors[403] == client.stats.retries > 0
    emulator.control("PUT", "faults", {"throttle_rate": 1.0, "throttle_status": 403})

    async def exhausted() -> None:
        retry = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.01)
        async with _client(emulator, account.api_key, retry=retry) as client:
            with pytest.raises(errors.TooManyRequests) as raised:
                await client.request("GET", "/")
            assert not isinstance(raised.value, errors.AuthError)

    _run(exhausted)


def test_every_client_retries_as_the_settings_say_unless_given_a_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONSTITUENT_MAILCHIMP_RETRY_ATTEMPTS", "3")
    monkeypatch.setenv("CONSTITUENT_MAILCHIMP_RETRY_BASE_SECONDS", "0.5")
    reset_settings_cache()
    try:
        credentials = Credentials("api_key", "key-us1", "http://127.0.0.1:9/3.0")
        configured = MailchimpClient(credentials).retry
        given = MailchimpClient(credentials, retry=FAST_RETRY).retry
    finally:
        reset_settings_cache()
    assert (configured.max_attempts, configured.base_delay) == (3, 0.5)
    assert given == FAST_RETRY


def test_a_body_is_sent_as_the_bytes_httpx_would_send_and_names_with_accents_arrive_intact(
    emulator: RunningEmulator,
) -> None:
    account = account_on(emulator)
    audience = account.new_list()
    email = "zoe.muller@mailbox.org"
    body = {
        "email_address": email,
        "status_if_new": "subscribed",
        "merge_fields": {"FNAME": "Zoë", "LNAME": "Müller-Łukasiewicz 李", "ADDRESS": "", "PHONE": ""},
        "tags": ["Donors ≥ $100"],
    }
    # The client encodes bodies itself (client._json_body): the same bytes as httpx's json=.
    assert (
        httpx.Request("PUT", "http://x", content=to_json(body)).content
        == httpx.Request("PUT", "http://x", json=body).content
    )

    async def scenario() -> Any:
        async with _client(emulator, account.api_key) as client:
            return await client.request(
                "PUT", f"/lists/{audience['id']}/members/{subscriber_hash(email)}", json=body
            )

    answer = _run(scenario)

    assert answer["merge_fields"]["FNAME"] == "Zoë"
    assert answer["merge_fields"]["LNAME"] == "Müller-Łukasiewicz 李"
    assert [
        tag["name"]
        for tag in account.client.get(f"/lists/{audience['id']}/members/{subscriber_hash(email)}").json()[
            "tags"
        ]
    ] == ["Donors ≥ $100"]


class _CountingFinder(importlib.abc.MetaPathFinder):
    """Counts the module searches made while it is first on ``sys.meta_path`` (it finds nothing)."""

    def __init__(self) -> None:
        self.searched: list[str] = []

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        self.searched.append(fullname)


def test_requests_search_for_no_module_once_the_client_has_run(emulator: RunningEmulator) -> None:
    """httpcore looks its async library up (sniffio) before every request: a module not installed was
    searched for on sys.path each time, seven times a request, in the run's event loop."""
    account = account_on(emulator)
    audience = account.new_list()

    async def scenario() -> list[str]:
        async with _client(emulator, account.api_key) as client:
            await client.request("GET", f"/lists/{audience['id']}", params={"fields": "id"})  # imports done
            finder = _CountingFinder()
            sys.meta_path.insert(0, finder)
            try:
                for _ in range(5):
                    await client.request("GET", f"/lists/{audience['id']}", params={"fields": "id"})
            finally:
                sys.meta_path.remove(finder)
            return finder.searched

    assert _run(scenario) == []
