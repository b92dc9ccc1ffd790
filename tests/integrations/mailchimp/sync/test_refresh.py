"""Full resync: the ledger is rebuilt from what Mailchimp holds, so drift there is seen and repaired."""

from __future__ import annotations

import pytest

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect, update_person


@pytest.mark.slow
def test_data_typed_into_the_audience_is_overwritten_by_the_next_sync_and_a_resync_finds_it_in_step(
    product: Product,
) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org", "bob@mailbox.org")
    audience.sync()
    audience.person_action("ada@mailbox.org", "update-profile", merge_fields={"FNAME": "Typed there"})

    incremental = audience.sync()
    full = audience.full()

    # The run's own reconciliation reads the hand edit back (issue 19): no Resync needed any more.
    assert (incremental.status, incremental.updated, incremental.created) == (RunStatus.succeeded, 1, 0)
    assert audience.member("ada@mailbox.org")["merge_fields"]["FNAME"] == "Ada"
    assert (full.status, full.requests_write) == (RunStatus.succeeded, 0)  # repaired once, then in step


def test_a_member_deleted_for_good_in_mailchimp_becomes_forgotten_and_is_never_re_added(
    product: Product,
) -> None:
    audience = connect(product)
    (ada,) = add_people(product, "ada@mailbox.org")
    audience.sync()
    with product.emulator.api_client(audience.api_key) as client:
        path = f"/lists/{audience.audience_id}/members/{subscriber_hash('ada@mailbox.org')}"
        assert client.post(f"{path}/actions/delete-permanent").status_code == 204

    audience.full()
    update_person(product, ada, last_name="Again")
    after = audience.sync()

    assert audience.ledger()[subscriber_hash("ada@mailbox.org")].status is RemoteStatus.forgotten
    assert (after.refused, after.requests_write) == (1, 0)
    assert audience.members() == {}


@pytest.mark.slow
def test_members_we_archived_stay_ours_through_a_full_resync_and_come_back_when_they_qualify(
    product: Product,
) -> None:
    audience = connect(product)
    ids = add_people(product, *(f"p{n}@mailbox.org" for n in range(4)))
    audience.sync()
    update_person(product, ids[0], do_not_email=True)
    audience.sync(confirm_removals=True)

    audience.full()
    archived = audience.ledger()[subscriber_hash("p0@mailbox.org")]
    update_person(product, ids[0], do_not_email=False)
    back = audience.sync()

    assert (archived.status, archived.archived_by_us) == (RemoteStatus.archived, True)
    assert back.created == 1
    assert audience.member("p0@mailbox.org")["status"] == "subscribed"


@pytest.mark.slow
def test_the_ledger_keeps_only_our_tags_and_leaves_members_we_never_wrote_alone(product: Product) -> None:
    audience = connect(product)
    with product.emulator.api_client(audience.api_key) as client:
        for start in range(0, 2100, 500):
            members = [
                {"email_address": f"theirs{n}@mailbox.org", "status": "subscribed", "tags": ["VIP"]}
                for n in range(start, min(start + 500, 2100))
            ]
            response = client.post(f"/lists/{audience.audience_id}", json={"members": members})
            assert response.json()["total_created"] == len(members)
    add_people(product, "ada@mailbox.org")

    run = audience.full()

    ledger = audience.ledger()
    assert len(ledger) == 2101
    assert all(not entry.tags for h, entry in ledger.items() if h != subscriber_hash("ada@mailbox.org"))
    assert (run.created, run.archived) == (1, 0)
    # 2,101 members in pages of 1,000 fetched concurrently, + the archived ones, + the first look at who left
    # (unsubscribed, cleaned).
    assert run.requests_read == 6
    statuses = {m["status"] for e, m in audience.members().items() if e.startswith("theirs")}
    assert statuses == {"subscribed"}
