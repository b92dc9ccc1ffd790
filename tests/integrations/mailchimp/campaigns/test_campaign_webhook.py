"""End to end: a campaign sent in Mailchimp fires the `campaign` webhook into our running server, the
processor schedules its tracking, the tracker reads it, and each recipient's contact shows "Email sent" in
GET /api/v1/contacts/{id}."""

from __future__ import annotations

import pytest

from constituent.integrations.mailchimp.campaigns.models import TrackingState
from tests.integrations.mailchimp.campaigns.campaign_helpers import send_campaign, track, tracked
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.sync.sync_helpers import add_people


@pytest.mark.slow
def test_a_campaign_sent_in_mailchimp_reaches_each_recipient_contact_through_the_webhook(live: Live) -> None:
    ada, bob = add_people(live.product, "ada@mailbox.org", "bob@mailbox.org")
    live.audience.sync()
    campaign = send_campaign(live.audience, "Autumn appeal")
    [delivery] = [d for d in live.settle(1) if d["type"] == "campaign"]
    assert delivery["outcome"] == "delivered"

    assert live.process() == 1
    [scheduled] = tracked(live.audience)
    assert (scheduled.campaign_id, scheduled.state) == (campaign["id"], TrackingState.scheduled)
    result = track(live.audience)

    assert (result.campaigns_discovered, result.campaigns_read, result.activities_written) == (0, 1, 2)
    with live.api() as api:
        for contact_id in (ada, bob):
            activities = api.get(f"/contacts/{contact_id}").json()["activities"]
            [sent] = [a for a in activities if a["subject"] == "Email sent: Autumn appeal"]
            assert sent["details"]["campaign_id"] == campaign["id"]
            assert sent["details"]["link"] == campaign["long_archive_url"]
