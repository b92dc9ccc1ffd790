"""The checks run on live traffic: wrapped transports, event hooks, patched clients and the official SDK.

Where a test needs a server that answers wrongly on purpose, httpx.MockTransport plays that server.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from collections.abc import Callable
from typing import Any

import httpx
import mailchimp_marketing
import pytest

from tests.contract.samples import (
    JSON_HEADERS,
    MEMBER_PATH,
    encoded,
    member_without,
    recorded_member,
    upsert_body,
)
from tests.support.emulator import McAccount
from tests.support.mailchimp_spec import MailchimpSpec, SpecViolation
from tests.support.spec_transport import (
    AsyncSpecCheckingTransport,
    SpecChecker,
    SpecCheckingTransport,
    event_hooks,
)

Handler = Callable[[httpx.Request], httpx.Response]


def answering(body: Any, headers: dict[str, str] | None = None, status: int = 200) -> httpx.MockTransport:
    """A server that answers every request with this body."""
    return httpx.MockTransport(
        lambda _: httpx.Response(status, headers=headers or JSON_HEADERS, content=body)
    )


def test_a_conforming_exchange_passes_through_unchanged(spec_checked_transport: Callable[..., Any]) -> None:
    transport = spec_checked_transport(answering(encoded(recorded_member())))

    with httpx.Client(base_url="https://us3.api.mailchimp.com/3.0", transport=transport) as client:
        response = client.put(MEMBER_PATH.removeprefix("/3.0"), json=upsert_body())

    assert response.json()["id"] == recorded_member()["id"]
    assert response.elapsed.total_seconds() >= 0


def test_a_bad_request_body_is_stopped_before_it_is_sent(mailchimp_spec: MailchimpSpec) -> None:
    sent: list[httpx.Request] = []
    server = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    transport = SpecCheckingTransport(server, mailchimp_spec)

    with httpx.Client(transport=transport) as client, pytest.raises(SpecViolation, match="at /vip"):
        client.put(f"https://us3.api.mailchimp.com{MEMBER_PATH}", json=upsert_body(vip="yes"))

    assert sent == []


def test_a_bad_response_fails_the_call(mailchimp_spec: MailchimpSpec) -> None:
    server = answering(encoded(member_without("id")))
    transport = SpecCheckingTransport(server, mailchimp_spec, check_requests=False)

    with (
        httpx.Client(transport=transport) as client,
        pytest.raises(SpecViolation, match="'id' is a required"),
    ):
        client.get(f"https://us3.api.mailchimp.com{MEMBER_PATH}")


def test_a_compressed_response_is_checked_decoded_and_handed_on_intact(
    spec_checked_transport: Callable[..., Any],
) -> None:
    headers = {**JSON_HEADERS, "Content-Encoding": "gzip"}
    transport = spec_checked_transport(answering(gzip.compress(encoded(recorded_member())), headers))

    with httpx.Client(transport=transport) as client:
        response = client.get(f"https://us3.api.mailchimp.com{MEMBER_PATH}")

    assert response.json()["email_address"] == "cbo5dxn52fh6ykgt8vdt@grouparoo.com"


def test_the_async_transport_checks_both_directions(mailchimp_spec: MailchimpSpec) -> None:
    transport = AsyncSpecCheckingTransport(answering(encoded(recorded_member(vip="no"))), mailchimp_spec)

    async def fetch(params: dict[str, str]) -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(f"https://us3.api.mailchimp.com{MEMBER_PATH}", params=params)

    with pytest.raises(SpecViolation, match="unknown query parameter"):
        asyncio.run(fetch({"expand": "all"}))
    with pytest.raises(SpecViolation, match="at /vip: 'no' is not of type 'boolean'"):
        asyncio.run(fetch({}))


def test_event_hooks_check_both_directions(mailchimp_spec: MailchimpSpec) -> None:
    hooks = event_hooks(SpecChecker(mailchimp_spec))
    server = answering(encoded(recorded_member()))

    with httpx.Client(transport=server, event_hooks=hooks) as client:
        assert client.get(f"https://us3.api.mailchimp.com{MEMBER_PATH}").status_code == 200
        with pytest.raises(SpecViolation, match="unknown query parameter"):
            client.get(f"https://us3.api.mailchimp.com{MEMBER_PATH}", params={"expand": "all"})


def test_the_event_hooks_fixture_checks_an_async_client(spec_event_hooks: Callable[..., Any]) -> None:
    server = answering(encoded(recorded_member()))

    async def fetch() -> int:
        async with httpx.AsyncClient(
            transport=server, event_hooks=spec_event_hooks(asynchronous=True)
        ) as client:
            return (await client.get(f"https://us3.api.mailchimp.com{MEMBER_PATH}")).status_code

    assert asyncio.run(fetch()) == 200


def test_a_violation_caught_by_product_code_is_still_recorded(mailchimp_spec: MailchimpSpec) -> None:
    checker = SpecChecker(mailchimp_spec)

    with contextlib.suppress(Exception):  # as a careless retry loop would
        checker.request("PATCH", MEMBER_PATH, {}, encoded({"status": "archived"}), "application/json")

    assert [violation.pointer for violation in checker.violations] == ["/status"]


def test_every_httpx_client_is_checked_once_httpx_is_patched(
    spec_checked_httpx: None, mc_account: McAccount, spec_violations: list[SpecViolation]
) -> None:
    with httpx.Client(base_url=mc_account.emulator.api_base, auth=("any", mc_account.api_key)) as client:
        assert client.get("/ping").status_code == 200
        with pytest.raises(SpecViolation, match="status_if_new"):
            client.put(
                "/lists/a36b032126/members/62eeb292278cc15f5817cb78f7790b08", json={"email_address": "a@b.c"}
            )

    assert len(spec_violations) == 1
    spec_violations.clear()  # expected here; left in the list it would fail the test at teardown


def test_the_official_sdk_is_checked(spec_checked_mailchimp_marketing: None, mc_account: McAccount) -> None:
    client = mailchimp_marketing.Client()
    client.set_config({"api_key": mc_account.api_key, "server": mc_account.dc})
    client.api_client.host = mc_account.emulator.api_base

    assert client.ping.get() == {"health_status": "Everything's Chimpy!"}
