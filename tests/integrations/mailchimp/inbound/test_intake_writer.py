"""The intake's writer task (group commit) and a delivery that arrives just as it ends, on both databases.

A CI run once saw one of three deliveries never answered: the writer had stored the rows it had and
returned, but its set of writers still held it until its done-callback ran, so a delivery stored in that
moment started no writer of its own and waited for good (Mailchimp's next attempt comes a minute later).
Opened deterministically: the first store's caller resumes before that callback runs.
"""

from __future__ import annotations

import asyncio

from constituent.integrations.mailchimp.inbound.events import EventType, InboundEvent
from constituent.integrations.mailchimp.inbound.intake import Intake, inbox_row
from constituent.kit.clock import utcnow
from tests.integrations.mailchimp.inbound.conftest import Live


async def _one_then_another(intake: Intake, first: dict[str, object], second: dict[str, object]) -> bool:
    await intake.store(first)
    # Here the writer has stored the first row and returned; its done-callback has not run yet. Awaited
    # directly, so the second store starts in this very step (a task of its own would start later).
    return await intake.store(second)


def test_a_delivery_stored_as_the_writer_ends_is_written_at_once(live: Live) -> None:
    intake = Intake(live.database, live.product.settings)
    event = InboundEvent(type=EventType.unsubscribe, fired_at=utcnow(), list_id="x", email="a@mailbox.org")
    first, second = (inbox_row(live.integration_id, f"delivery {n}".encode(), event) for n in (1, 2))

    assert asyncio.run(asyncio.wait_for(_one_then_another(intake, first, second), timeout=5)) is True
    assert len(live.inbox()) == 2
