"""Whole syncs over real HTTP against the emulator, on both databases: first sync, no-change reruns,
consent kept through incremental and full resyncs, Mailchimp's own tags, the removal guard, shared
addresses, dry runs, and renames."""

from __future__ import annotations

from constituent.crm.activities.models import Activity
from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect, update_person

PEOPLE = ("ada@example.org", "bob@example.org", "cy@example.org")


def test_the_first_sync_creates_exactly_the_desired_members_with_their_tags(product: Product) -> None:
    audience = connect(product)
    add_people(product, *PEOPLE)

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    members = audience.members()
    assert set(members) == set(PEOPLE)
    assert {m["status"] for m in members.values()} == {"subscribed"}
    assert members["ada@example.org"]["merge_fields"]["FNAME"] == "Ada"
    expected_tags = audience.desired_tags()
    assert {e: frozenset(m["tags"]) for e, m in members.items()} == expected_tags
    assert (run.created, run.updated, run.errors) == (3, 0, 0)
    assert run.requests_write == 1  # one batch subscribe carries all three members and their tags


def test_a_second_incremental_run_with_no_change_writes_nothing(product: Product) -> None:
    audience = connect(product)
    add_people(product, *PEOPLE)
    audience.sync()
    writes = audience.emulator_writes()

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    assert run.requests_write == 0
    assert audience.emulator_writes() == writes
    assert (run.created, run.updated, run.archived) == (0, 0, 0)


def test_a_changed_contact_is_updated_by_the_next_incremental_run(product: Product) -> None:
    audience = connect(product)
    ada, _bob, _cy = add_people(product, *PEOPLE)
    audience.sync()

    update_person(product, ada, last_name="Lovelace")
    run = audience.sync()

    assert (run.created, run.updated) == (0, 1)
    assert audience.member("ada@example.org")["merge_fields"]["LNAME"] == "Lovelace"


def test_a_member_unsubscribed_in_mailchimp_stays_unsubscribed_and_the_refusal_is_recorded(
    product: Product,
) -> None:
    audience = connect(product)
    ada, _bob, _cy = add_people(product, *PEOPLE)
    audience.sync()
    audience.person_action("ada@example.org", "unsubscribe")

    update_person(product, ada, last_name="Lovelace")
    incremental = audience.sync()
    full = audience.full()
    again = audience.full()

    for run in (incremental, full, again):
        assert run.status is RunStatus.succeeded, run.message
    assert audience.member("ada@example.org")["status"] == "unsubscribed"
    assert audience.ledger()[subscriber_hash("ada@example.org")].status is RemoteStatus.unsubscribed
    assert full.refused == 1
    with product.db.sessions() as session:
        refusals = session.query(Activity).filter_by(contact_id=ada, type="mailchimp_refused").all()
    assert len(refusals) == 1  # said once, however many runs meet it
    assert "Unsubscribed in Mailchimp" in refusals[0].subject
