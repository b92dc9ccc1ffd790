"""Issue 13 item 2: a run killed after Mailchimp applied a page, before the page was recorded.

The holding proxy forwards the batch (Mailchimp creates the members) and holds the answer; the test
SIGKILLs the sync process in that window. Before the fix the next refresh stored those members with no
contact ("not ours") and they stayed subscribed for ever once their contacts stopped qualifying.
"""

from __future__ import annotations

import signal
from collections.abc import Callable

import pytest

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.sync.models import RunStatus
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.consent.conftest import StartSync
from tests.integrations.mailchimp.consent.windows import batch_path, point_at
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect, update_person
from tests.support.holding_proxy import HoldingProxy

EMAILS = ("ada@mailbox.org", "bob@mailbox.org", "cy@mailbox.org")


@pytest.mark.slow
def test_members_created_by_a_run_killed_before_recording_them_stay_ours(
    product: Product,
    holding_proxy_factory: Callable[[str], HoldingProxy],
    start_sync_process: StartSync,
) -> None:
    audience = connect(product)
    ada, bob, cy = add_people(product, *EMAILS)
    proxy = holding_proxy_factory(product.emulator.base_url)
    held = proxy.hold("POST", batch_path(audience), stage="after")  # Mailchimp applied it
    point_at(audience, proxy.api_base)

    process = start_sync_process(audience)
    held.wait_arrived()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    held.release()
    assert {m["status"] for m in audience.members().values()} == {"subscribed"}

    point_at(audience, product.emulator.api_base)
    for contact_id in (ada, bob):
        update_person(product, contact_id, do_not_email=True)
    update_person(product, cy, is_active=False)
    run = audience.sync(confirm_removals=True)  # the first successful run: a refresh, then the plan

    assert run.status is RunStatus.succeeded, run.message
    assert {e: m["status"] for e, m in audience.members().items()} == dict.fromkeys(EMAILS, "archived")
    ledger = audience.ledger()
    assert [ledger[subscriber_hash(e)].contact_id for e in EMAILS] == [ada, bob, cy]
    assert all(ledger[subscriber_hash(e)].archived_by_us for e in EMAILS)
