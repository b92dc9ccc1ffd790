"""Issue 14: a sent campaign's activities appear within a minute of the `campaign` webhook (the webhook's
processing queues the campaign import as soon as its delivery commits, instead of leaving it to the
quarter-hourly pass), and `constituent mailchimp campaigns import` reads opens and clicks of the last
week's campaigns again every time it is run."""

from __future__ import annotations

import json
import time

import pytest

from tests.integrations.mailchimp.campaigns.campaign_helpers import send_campaign, sent_activities
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect

A_MINUTE = 60.0


@pytest.mark.parametrize("queue_url", ["memory://"])  # each job the app asks for runs at once
def test_a_sent_campaigns_activities_appear_within_a_minute_of_its_webhook(
    live: Live, queue_url: str
) -> None:
    ada, bob = add_people(live.product, "ada@mailbox.org", "bob@mailbox.org")
    live.audience.sync()
    campaign = send_campaign(live.audience, "Autumn appeal")
    sent_at = time.monotonic()

    # Nobody runs the tracker here: only the webhook's own processing can have asked for the import.
    while len(sent_activities(live.audience)) < 2:
        assert time.monotonic() - sent_at < A_MINUTE, "no activities a minute after the webhook"
        time.sleep(0.05)

    activities = sent_activities(live.audience)
    assert {a.contact_id for a in activities} == {ada, bob}
    assert {a.details["campaign_id"] for a in activities} == {campaign["id"]}
    assert {a.subject for a in activities} == {"Email sent: Autumn appeal"}


def _act(audience: Audience, campaign_id: str, email: str, action: str) -> None:
    audience.product.emulator.control(
        "POST", f"campaigns/{campaign_id}/activity", {"email": email, "action": action}
    )


def _opens(audience: Audience) -> dict[int, int]:
    return {a.contact_id: int(a.details.get("opens", 0)) for a in sent_activities(audience)}


@pytest.mark.slow
def test_campaigns_import_reads_opens_and_clicks_of_the_last_week_again_each_time_it_is_run(
    product: Product,
) -> None:
    audience = connect(product)
    ada, bob = add_people(product, "ada@mailbox.org", "bob@mailbox.org")
    audience.sync()
    campaign = send_campaign(audience, "Spring newsletter")
    _act(audience, campaign["id"], "ada@mailbox.org", "open")
    first = product.cli_json("mailchimp", "campaigns", "import")
    assert (first["campaigns_read"], first["engagement_updated"]) == (1, 1)
    assert _opens(audience) == {ada: 1, bob: 0}

    _act(audience, campaign["id"], "bob@mailbox.org", "open")  # minutes later, well within 6 hours
    again = product.cli("mailchimp", "campaigns", "import")

    assert again.returncode == 0, again.stderr
    assert "2 given new opens and clicks" in again.stdout
    assert _opens(audience) == {ada: 1, bob: 1}
    assert json.loads(product.cli("mailchimp", "campaigns", "import", "--json").stdout)["campaigns_read"] == 0
