"""A sync run's own reconcile pass does not wait for one request before sending the next ones when it
need not (issue 17: a run that changes little is mostly waiting on Mailchimp): its status queries go out
without waiting for the count that decides whether subscribed members are read too. The window is opened
by the holding proxy, which holds the pass's first member read while the test watches what else reaches
Mailchimp."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from constituent.integrations.mailchimp.sync.models import RunStatus
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.consent.windows import sync_through
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect
from tests.jobs.conftest import wait_for
from tests.support.holding_proxy import HoldingProxy

# The status queries of a pass (unsubscribed, cleaned, archived, pending, transactional).
STATUS_QUERIES = 5


@pytest.mark.slow
def test_a_runs_status_queries_reach_mailchimp_while_its_first_member_read_is_unanswered(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")
    assert audience.sync().status is RunStatus.succeeded  # a ledger: the next pass reads what changed since
    proxy = holding_proxy_factory(product.emulator.base_url)
    members = rf"/lists/{audience.audience_id}/members$"
    held = proxy.hold("GET", members)

    running = sync_through(audience, proxy)
    held.wait_arrived()
    try:
        # Before: the count went first, alone, and nothing else left until it was answered.
        wait_for(lambda: len(_member_reads(proxy, audience.audience_id)) >= STATUS_QUERIES, timeout=30)
    finally:
        held.release()

    run = running.finish()
    assert run.status is RunStatus.succeeded, run.message
    assert run.requests_write == 0


def _member_reads(proxy: HoldingProxy, audience_id: str) -> list[str]:
    return [
        r.path for r in proxy.forwarded if r.method == "GET" and r.path.endswith(f"/{audience_id}/members")
    ]
