"""Issue 13 item 3: a run paused past its lease while another takes over writes nothing after waking.

The sync runs in its own process; the holding proxy holds its batch request and the test SIGSTOPs the
process there (a paused worker), waits until its lease has expired, runs another sync to the end, then
lets the held request through and SIGCONTs the paused one. Before the fix it renewed the lease the
other run had released, went on writing (the archive phase) and turned its "interrupted" into
"succeeded".
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.kit.clock import utcnow
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.consent.conftest import StartSync
from tests.integrations.mailchimp.consent.windows import batch_path, point_at
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect, update_person
from tests.support.holding_proxy import HoldingProxy


def _wait_until_lease_expired(audience: Audience) -> None:
    """Waits on a condition (the paused holder cannot renew), not on a guessed duration."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with audience.product.db.sessions() as session:
            expires = session.scalar(
                select(MailchimpIntegration.lease_expires_at).where(
                    MailchimpIntegration.id == audience.integration_id
                )
            )
        if expires is not None and expires < utcnow():
            return
        time.sleep(0.05)
    raise AssertionError("the paused run's lease never expired")


@pytest.mark.slow
def test_a_paused_run_that_lost_its_lease_stops_and_stays_interrupted(
    product: Product,
    holding_proxy_factory: Callable[[str], HoldingProxy],
    start_sync_process: StartSync,
) -> None:
    audience = connect(product)
    ada, bob, *_ = add_people(product, *(f"p{i:02}@mailbox.org" for i in range(20)))
    assert audience.sync().status is RunStatus.succeeded
    update_person(product, ada, last_name="Lovelace")  # a batch page first
    update_person(product, bob, do_not_email=True)  # then an archive
    proxy = holding_proxy_factory(product.emulator.base_url)
    held = proxy.hold("POST", batch_path(audience))
    point_at(audience, proxy.api_base)

    paused = start_sync_process(audience)
    held.wait_arrived()
    paused.send_signal(signal.SIGSTOP)
    paused_run = audience.latest_run().id
    _wait_until_lease_expired(audience)
    point_at(audience, product.emulator.api_base)
    takeover = audience.sync()
    assert takeover.status is RunStatus.succeeded, takeover.message
    woke_at = time.monotonic()
    held.release()
    paused.send_signal(signal.SIGCONT)
    paused.wait(timeout=60)

    # Only the request already in flight when it was paused got through; nothing after it.
    assert [r.method for r in proxy.writes_since(woke_at)] == ["POST"]
    with product.db.sessions() as session:
        run = runs.get(session, paused_run)
    assert run.status is RunStatus.interrupted, run.message
    assert (run.updated, run.archived) == (0, 0)  # its late page was refused, not recorded
    assert audience.member("p00@mailbox.org")["merge_fields"]["LNAME"] == "Lovelace"
    assert audience.member("p01@mailbox.org")["status"] == "archived"
