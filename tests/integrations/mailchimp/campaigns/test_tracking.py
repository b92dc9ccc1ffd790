"""Campaign tracking over real HTTP against the emulator, on both databases: a campaign sent there gives
each recipient contact one "Email sent" activity; reading again adds nothing; a crash mid-read resumes
from the cursor; a campaign the webhook scheduled is completed from Mailchimp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.schemas import EmailIn
from constituent.integrations.mailchimp.campaigns import repository
from constituent.integrations.mailchimp.campaigns.models import TrackingState
from constituent.integrations.mailchimp.campaigns.service import schedule_tracking
from constituent.integrations.mailchimp.service import get_integration
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.campaigns.campaign_helpers import (
    send_campaign,
    sent_activities,
    sent_to_reads,
    track,
    tracked,
)
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect

PEOPLE = ("ada@mailbox.org", "bob@mailbox.org", "cy@mailbox.org", "di@mailbox.org", "ed@mailbox.org")


class Crash(BaseException):
    """The process dies (not an error the tracker could record)."""


def test_a_sent_campaign_gives_each_recipient_contact_one_email_sent_activity(product: Product) -> None:
    audience = connect(product)
    ids = add_people(product, *PEOPLE[:3])
    audience.sync()
    campaign = send_campaign(audience, "Spring newsletter")

    result = track(audience)

    activities = sent_activities(audience)
    assert [a.contact_id for a in activities] == sorted(ids)
    first = activities[0]
    assert first.subject == "Email sent: Spring newsletter"
    assert first.source == "Mailchimp"
    assert first.details["campaign_id"] == campaign["id"]
    assert first.details["link"] == campaign["long_archive_url"]
    assert datetime.fromisoformat(first.details["send_time"]) == datetime.fromisoformat(campaign["send_time"])
    assert first.occurred_at == datetime.fromisoformat(campaign["send_time"])
    assert (result.campaigns_discovered, result.campaigns_read) == (1, 1)
    assert (result.recipients_read, result.activities_written, result.failed) == (3, 3, 0)
    [row] = tracked(audience)
    assert (row.state, row.recipients_read, row.recipients_total) == (TrackingState.done, 3, 3)


def test_importing_the_same_campaigns_again_adds_nothing(product: Product) -> None:
    audience = connect(product)
    add_people(product, *PEOPLE[:3])
    audience.sync()
    send_campaign(audience, "Spring newsletter")
    track(audience)

    again = track(audience)

    assert (again.campaigns_discovered, again.recipients_read, again.activities_written) == (0, 0, 0)
    assert len(sent_activities(audience)) == 3


def test_a_second_campaign_is_discovered_and_read_without_rereading_the_first(product: Product) -> None:
    audience = connect(product)
    add_people(product, *PEOPLE[:2])
    audience.sync()
    send_campaign(audience, "Spring newsletter")
    track(audience)
    add_people(product, PEOPLE[2])
    audience.sync()
    send_campaign(audience, "Summer newsletter")

    result = track(audience)

    assert (result.campaigns_discovered, result.recipients_read, result.activities_written) == (1, 3, 3)
    subjects = sorted(a.subject for a in sent_activities(audience))
    assert subjects == ["Email sent: Spring newsletter"] * 2 + ["Email sent: Summer newsletter"] * 3


def test_a_crash_mid_read_resumes_from_the_last_committed_page(product: Product) -> None:
    audience = connect(product)
    add_people(product, *PEOPLE)
    audience.sync()
    send_campaign(audience, "Spring newsletter")

    def crash_after_first_page(_campaign_id: str, read: int, _total: int) -> None:
        if read == 2:
            raise Crash

    with pytest.raises(Crash):
        track(audience, page_size=2, on_page=crash_after_first_page)
    [row] = tracked(audience)
    assert (row.state, row.recipients_read, row.activities_written) == (TrackingState.reading, 2, 2)
    assert len(sent_activities(audience)) == 2
    reads_before = sent_to_reads(audience)

    result = track(audience, page_size=2)

    [row] = tracked(audience)
    assert (row.state, row.recipients_read, row.activities_written) == (TrackingState.done, 5, 5)
    assert len(sent_activities(audience)) == 5
    assert (result.recipients_read, result.activities_written) == (3, 3)
    assert sent_to_reads(audience) - reads_before == 2  # offsets 2 and 4: the first page is not read again


def test_a_campaign_the_webhook_scheduled_is_completed_from_mailchimp(product: Product) -> None:
    audience = connect(product)
    add_people(product, *PEOPLE[:2])
    audience.sync()
    campaign = send_campaign(audience, "Spring newsletter")
    with session_scope(product.db.sessions) as session:
        integration = get_integration(session, audience.integration_id)
        # What the `campaign` webhook knows: the id, the subject and when it fired.
        fired_at = datetime.now(UTC)
        schedule_tracking(
            session, integration, campaign["id"], send_time=fired_at, subject="Spring newsletter"
        )
        schedule_tracking(session, integration, campaign["id"], send_time=fired_at, subject="again")

    result = track(audience)

    assert (result.campaigns_discovered, result.campaigns_read, result.activities_written) == (0, 1, 2)
    [row] = tracked(audience)
    assert row.archive_url == campaign["long_archive_url"]
    assert row.send_time == datetime.fromisoformat(campaign["send_time"])
    assert {a.details["link"] for a in sent_activities(audience)} == {campaign["long_archive_url"]}


def test_an_address_the_ledger_does_not_know_goes_to_every_contact_holding_it(product: Product) -> None:
    audience = connect(product)
    [ada] = add_people(product, "ada@mailbox.org")
    audience.sync()
    # Added in Mailchimp by hand, and held by a contact the sync does not send (no primary email).
    product.emulator.control(
        "POST", f"lists/{audience.audience_id}/signup", {"email_address": "stranger@mailbox.org"}
    )
    [holder] = add_people(product, "other@mailbox.org")
    with session_scope(product.db.sessions) as session:
        contacts.add_email(session, holder, EmailIn(address="Stranger@mailbox.org"), "test")
    send_campaign(audience, "Spring newsletter")

    track(audience)

    assert sorted(a.contact_id for a in sent_activities(audience)) == sorted([ada, holder])


def test_the_cli_imports_campaigns_and_prints_its_counts(product: Product) -> None:
    audience = connect(product)
    add_people(product, *PEOPLE[:2])
    audience.sync()
    send_campaign(audience, "Spring newsletter")

    counts = product.cli_json("mailchimp", "campaigns", "import")

    assert counts == {
        "campaigns_discovered": 1,
        "campaigns_read": 1,
        "recipients_read": 2,
        "activities_written": 2,
        "engagement_updated": 0,
        "failed": 0,
    }
    again = product.cli("mailchimp", "campaigns", "import", "--integration", str(audience.integration_id))
    assert again.returncode == 0, again.stderr
    assert "0 activit(ies) written" in again.stdout


def test_a_campaign_mailchimp_does_not_know_is_marked_failed_and_the_others_are_read(
    product: Product,
) -> None:
    audience = connect(product)
    add_people(product, *PEOPLE[:2])
    audience.sync()
    with session_scope(product.db.sessions) as session:
        integration = get_integration(session, audience.integration_id)
        schedule_tracking(session, integration, "0000000000", subject="Deleted since")
    send_campaign(audience, "Spring newsletter")

    result = track(audience)

    assert (result.campaigns_read, result.activities_written, result.failed) == (1, 2, 1)
    states = {row.campaign_id: (row.state, row.error) for row in tracked(audience)}
    state, error = states["0000000000"]
    assert state is TrackingState.failed and "Resource Not Found" in error


def _act(audience_product: Product, campaign_id: str, email: str, action: str, url: str = "") -> None:
    body = {"email": email, "action": action, **({"url": url} if url else {})}
    audience_product.emulator.control("POST", f"campaigns/{campaign_id}/activity", body)


def test_opens_and_clicks_go_on_the_activity_and_are_read_again_while_the_campaign_is_young(
    product: Product,
) -> None:
    audience = connect(product)
    ada, bob = add_people(product, *PEOPLE[:2])
    audience.sync()
    campaign = send_campaign(audience, "Spring newsletter")
    _act(product, campaign["id"], "ada@mailbox.org", "open")
    _act(product, campaign["id"], "ada@mailbox.org", "open")
    _act(product, campaign["id"], "ada@mailbox.org", "click", "https://parks.example/donate")

    first = track(audience)

    details = {a.contact_id: a.details for a in sent_activities(audience)}
    assert (details[ada]["opens"], details[ada]["clicks"]) == (2, 1)
    assert details[ada]["clicked_urls"] == ["https://parks.example/donate"]
    assert details[ada]["last_open"] and details[ada]["campaign_id"] == campaign["id"]
    assert "opens" not in details[bob]
    assert first.engagement_updated == 1
    # Within the interval nothing is read again; once it has passed, the new open arrives.
    _act(product, campaign["id"], "bob@mailbox.org", "open")
    assert track(audience).engagement_updated == 0
    [row] = tracked(audience)
    assert row.engagement_read_at is not None
    with session_scope(product.db.sessions) as session:
        repository.set_fields(session, row.id, engagement_read_at=row.engagement_read_at - timedelta(hours=7))

    later = track(audience)

    assert later.engagement_updated == 2
    details = {a.contact_id: a.details for a in sent_activities(audience)}
    assert details[bob]["opens"] == 1 and details[ada]["opens"] == 2
    assert len(sent_activities(audience)) == 2
