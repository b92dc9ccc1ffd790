"""Deliveries that can never be applied are answered 400 and stored nowhere, and one bad row never
fails the deliveries committed beside it (issue 13, item 6).

What Mailchimp sends is form data with an address that passed its own checks; the attack sent a raw
NUL byte (PostgreSQL text cannot hold it: the whole group commit failed, 141 of 195 valid deliveries got
500), a percent-encoded NUL in a signup's name (stored, then failed three times when applied) and
addresses such as ``x@y@z`` (answered 200, never applied)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import httpx
import pytest

from constituent.integrations.mailchimp.inbound.events import EventType, InboundEvent
from constituent.integrations.mailchimp.inbound.intake import Intake, inbox_row
from constituent.kit.clock import utcnow
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.inbound.test_delivery import unsubscribe_fields

FORM = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "MailChimp.com"}


def signup_fields(live: Live, email: str, first_name: str = "Ann") -> dict[str, str]:
    return {
        "type": "subscribe",
        "fired_at": "2030-01-01 10:00:00",
        "data[list_id]": live.audience.audience_id,
        "data[email]": email,
        "data[merges][EMAIL]": email,
        "data[merges][FNAME]": first_name,
    }


def raw_nul_body(live: Live, email: str) -> bytes:
    """A well-formed unsubscribe whose reason carries a raw NUL byte (not percent-encoded)."""
    return (
        urlencode(unsubscribe_fields(live, email))
        .encode()
        .replace(b"reason%5D=manual", b"reason%5D=man\x00ual")
    )


def test_a_raw_nul_byte_is_a_400_and_nothing_is_stored(live: Live) -> None:
    answer = live.http.post(live.url, content=raw_nul_body(live, "ann@mailbox.org"), headers=FORM)
    assert answer.status_code == 400, answer.text
    assert "NUL" in answer.text
    assert live.inbox() == []


def test_a_percent_encoded_nul_in_a_signup_name_is_a_400_and_nothing_is_stored(live: Live) -> None:
    answer = live.post(signup_fields(live, "ann@mailbox.org", first_name="An\x00n"))
    assert answer.status_code == 400, answer.text
    assert "data[merges][FNAME]" in answer.text
    assert live.inbox() == []


@pytest.mark.slow
@pytest.mark.parametrize("address", ["x@y@z", "ann@", "ann@example..org", "two words@mailbox.org"])
def test_a_signup_whose_address_can_never_be_a_contact_is_a_400(live: Live, address: str) -> None:
    answer = live.post(signup_fields(live, address))
    assert answer.status_code == 400, answer.text
    assert "data[email]: not an email address" in answer.text
    assert address not in answer.text, "the reason names the field, never the value"
    assert live.inbox() == []


async def _deliver(live: Live, bodies: list[bytes]) -> list[int]:
    async with httpx.AsyncClient(timeout=60) as client:
        answers = await asyncio.gather(*(client.post(live.url, content=b, headers=FORM) for b in bodies))
    return [a.status_code for a in answers]


@pytest.mark.slow
def test_one_bad_delivery_among_195_at_once_never_fails_its_neighbours(live: Live) -> None:
    bodies = [urlencode(unsubscribe_fields(live, f"p{n}@mailbox.org")).encode() for n in range(195)]
    bodies[97] = raw_nul_body(live, "bad@mailbox.org")
    statuses = asyncio.run(_deliver(live, bodies))
    assert statuses[97] == 400
    assert statuses[:97] + statuses[98:] == [200] * 194
    assert len({event.subscriber_hash for event in live.inbox()}) == 194


async def _store_together(intake: Intake, rows: list[dict[str, object]]) -> list[object]:
    return await asyncio.gather(*(intake.store(row) for row in rows), return_exceptions=True)


def test_a_row_the_database_refuses_fails_alone_in_its_group_commit(live: Live) -> None:
    """Past the parser (defence in depth): the group commit falls back to row by row, so only the
    row the database refuses fails. A NUL in the stored body is what PostgreSQL refuses; SQLite
    stores it, so there every row is stored."""
    intake = Intake(live.database, live.product.settings)
    event = InboundEvent(type=EventType.unsubscribe, fired_at=utcnow(), list_id="x", email="a@mailbox.org")
    rows = [inbox_row(live.integration_id, f"good {n}".encode(), event) for n in range(20)]
    rows.insert(7, inbox_row(live.integration_id, b"bad \x00 body", event))

    outcomes = asyncio.run(_store_together(intake, rows))

    assert outcomes[:7] + outcomes[8:] == [True] * 20
    if live.database.engine.dialect.name == "postgresql":
        assert isinstance(outcomes[7], Exception)
        assert len(live.inbox()) == 20
    else:
        assert outcomes[7] is True
