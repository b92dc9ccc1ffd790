"""Whole syncs over real HTTP against the emulator, on both databases: first sync, no-change reruns,
consent kept through incremental and full resyncs, Mailchimp's own tags, the removal guard, shared
addresses, dry runs, and renames."""

from __future__ import annotations

import gc

import pytest

from constituent.crm.activities.models import Activity
from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.searches.models import SavedSearch
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.db import session_scope
from constituent.kit.heap import YOUNG_THRESHOLD
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import (
    add_people,
    change_primary_email,
    connect,
    update_person,
)

PEOPLE = ("ada@mailbox.org", "bob@mailbox.org", "cy@mailbox.org")


@pytest.mark.slow
def test_the_first_sync_creates_exactly_the_desired_members_with_their_tags(product: Product) -> None:
    audience = connect(product)
    add_people(product, *PEOPLE)

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    members = audience.members()
    assert set(members) == set(PEOPLE)
    assert {m["status"] for m in members.values()} == {"subscribed"}
    assert members["ada@mailbox.org"]["merge_fields"]["FNAME"] == "Ada"
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
    assert audience.member("ada@mailbox.org")["merge_fields"]["LNAME"] == "Lovelace"


@pytest.mark.slow
def test_a_member_unsubscribed_in_mailchimp_stays_unsubscribed_and_the_refusal_is_recorded(
    product: Product,
) -> None:
    audience = connect(product)
    ada, _bob, _cy = add_people(product, *PEOPLE)
    audience.sync()
    audience.person_action("ada@mailbox.org", "unsubscribe")

    update_person(product, ada, last_name="Lovelace")
    incremental = audience.sync()
    full = audience.full()
    again = audience.full()

    for run in (incremental, full, again):
        assert run.status is RunStatus.succeeded, run.message
    assert audience.member("ada@mailbox.org")["status"] == "unsubscribed"
    assert audience.ledger()[subscriber_hash("ada@mailbox.org")].status is RemoteStatus.unsubscribed
    assert full.refused == 1
    with product.db.sessions() as session:
        refusals = session.query(Activity).filter_by(contact_id=ada, type="mailchimp_refused").all()
    assert len(refusals) == 1  # said once, however many runs meet it
    # The run reconciled first: the processor applied the unsubscribe and recorded its words.
    assert refusals[0].subject == "Unsubscribed from Supporters"


def add_search(product: Product, name: str, raw_filter: dict[str, object]) -> None:
    with session_scope(product.db.sessions) as session:
        session.add(SavedSearch(name=name, filter=raw_filter))


def test_a_tag_made_in_mailchimp_survives_while_our_own_tag_is_removed(product: Product) -> None:
    audience = connect(product)
    add_search(product, "Springfield", {"field": "city", "op": "eq", "value": "Springfield"})
    (ada,) = add_people(product, "ada@mailbox.org")
    update_person(product, ada, city="Springfield")
    audience.sync()
    with product.emulator.api_client(audience.api_key) as client:
        path = f"/lists/{audience.audience_id}/members/{subscriber_hash('ada@mailbox.org')}/tags"
        assert client.post(path, json={"tags": [{"name": "VIP", "status": "active"}]}).status_code == 204
    assert {"Springfield", "VIP"} <= set(audience.member("ada@mailbox.org")["tags"])

    update_person(product, ada, city="Shelbyville")
    run = audience.sync()

    tags = set(audience.member("ada@mailbox.org")["tags"])
    assert "VIP" in tags and "Springfield" not in tags
    assert run.tags_removed == 1
    assert "Springfield" not in audience.ledger()[subscriber_hash("ada@mailbox.org")].tags


def test_the_removal_guard_stops_a_run_archiving_too_many_until_confirmed(product: Product) -> None:
    audience = connect(product)
    ids = add_people(product, *(f"p{n}@mailbox.org" for n in range(10)))
    audience.sync()
    for contact_id in ids[:2]:
        update_person(product, contact_id, do_not_email=True)
    writes = audience.emulator_writes()

    stopped = audience.sync()

    assert stopped.status is RunStatus.needs_confirmation
    assert "would archive 2" in stopped.message
    assert audience.emulator_writes() == writes
    assert {m["status"] for m in audience.members().values()} == {"subscribed"}

    confirmed = audience.sync(confirm_removals=True)

    assert confirmed.status is RunStatus.succeeded, confirmed.message
    assert confirmed.archived == 2
    statuses = {e: m["status"] for e, m in audience.members().items()}
    assert statuses["p0@mailbox.org"] == statuses["p1@mailbox.org"] == "archived"
    assert list(statuses.values()).count("subscribed") == 8


@pytest.mark.slow
def test_contacts_sharing_an_address_make_one_member_with_the_union_of_their_tags(product: Product) -> None:
    audience = connect(product)
    add_search(product, "Springfield", {"field": "city", "op": "eq", "value": "Springfield"})
    add_search(product, "Shelbyville", {"field": "city", "op": "eq", "value": "Shelbyville"})
    first, second = add_people(product, "home@mailbox.org", "HOME@mailbox.org")
    update_person(product, first, city="Springfield", first_name="Ann")
    update_person(product, second, city="Shelbyville", first_name="Ben")

    run = audience.sync()

    members = audience.members()
    assert list(members) == ["home@mailbox.org"]
    assert {"Springfield", "Shelbyville"} <= set(members["home@mailbox.org"]["tags"])
    assert members["home@mailbox.org"]["merge_fields"]["FNAME"] == "Ann"  # as complete: the oldest
    assert run.created == 1
    assert any("share" in notice for notice in runs.notices_of(run))


def test_a_dry_run_writes_nothing_and_reports_what_it_would_do(product: Product) -> None:
    audience = connect(product)
    add_people(product, *PEOPLE)
    writes = audience.emulator_writes()

    run = audience.sync(dry_run=True)

    assert run.status is RunStatus.succeeded, run.message
    assert audience.emulator_writes() == writes
    assert audience.members() == {}
    assert audience.ledger() == {}
    assert (run.created, run.requests_write) == (3, 0)
    with product.db.sessions() as session:
        report = runs.report_of(session, run.id)
    assert sorted(row.email for row in report) == sorted(PEOPLE)
    assert {row.action for row in report} == {"add"}


def test_a_primary_email_change_renames_the_member_in_place(product: Product) -> None:
    audience = connect(product)
    (ada,) = add_people(product, "ada@mailbox.org")
    audience.sync()
    before = audience.member("ada@mailbox.org")

    change_primary_email(product, ada, "ada@newmail.co.uk")
    run = audience.sync()

    members = audience.members()
    assert list(members) == ["ada@newmail.co.uk"]
    assert members["ada@newmail.co.uk"]["status"] == "subscribed"
    assert members["ada@newmail.co.uk"]["last_changed"] >= before["last_changed"]
    assert run.email_changes == 1
    assert set(audience.ledger()) == {subscriber_hash("ada@newmail.co.uk")}


def test_a_new_address_already_in_the_audience_archives_the_old_member_and_updates_that_one(
    product: Product,
) -> None:
    audience = connect(product)
    (ada,) = add_people(product, "ada@mailbox.org")
    audience.sync()
    with product.emulator.api_client(audience.api_key) as client:
        body = {"email_address": "ada@work.co.uk", "status": "subscribed"}
        assert client.post(f"/lists/{audience.audience_id}/members", json=body).status_code == 200

    change_primary_email(product, ada, "ada@work.co.uk")
    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    members = audience.members()
    assert members["ada@mailbox.org"]["status"] == "archived"
    assert members["ada@work.co.uk"]["status"] == "subscribed"
    assert members["ada@work.co.uk"]["merge_fields"]["FNAME"] == "Ada"
    assert run.errors == 0


@pytest.mark.slow
def test_an_address_deleted_for_good_in_mailchimp_is_refused_once_and_never_sent_again(
    product: Product,
) -> None:
    audience = connect(product)
    with product.emulator.api_client(audience.api_key) as client:
        members = f"/lists/{audience.audience_id}/members"
        client.post(members, json={"email_address": "gone@mailbox.org", "status": "subscribed"})
        path = f"{members}/{subscriber_hash('gone@mailbox.org')}/actions/delete-permanent"
        assert client.post(path).status_code == 204
    (gone,) = add_people(product, "gone@mailbox.org")

    first = audience.sync()
    update_person(product, gone, last_name="Again")
    second = audience.sync()

    assert first.refused == 1 and first.errors == 0
    assert audience.ledger()[subscriber_hash("gone@mailbox.org")].status is RemoteStatus.forgotten
    assert second.refused == 1 and second.requests_write == 0
    assert audience.members() == {}
    with product.db.sessions() as session:
        subjects = [a.subject for a in session.query(Activity).filter_by(contact_id=gone)]
    assert any("Mailchimp refused to re-add gone@mailbox.org" in s for s in subjects)


def test_a_cleaned_member_that_stops_qualifying_is_recorded_not_archived(product: Product) -> None:
    audience = connect(product)
    ids = add_people(product, *(f"p{n}@mailbox.org" for n in range(20)))
    audience.sync()
    audience.person_action("p0@mailbox.org", "bounce")

    update_person(product, ids[0], do_not_email=True)
    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    assert (run.archived, run.errors) == (0, 0)
    assert audience.member("p0@mailbox.org")["status"] == "cleaned"
    assert audience.ledger()[subscriber_hash("p0@mailbox.org")].status is RemoteStatus.cleaned


def test_a_sync_runs_with_fewer_garbage_collections_and_gives_the_thresholds_back(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org", "bob@mailbox.org")
    before = gc.get_threshold()
    during: list[int] = []

    run = audience.sync(progress=lambda phase, done, total: during.append(gc.get_threshold()[0]))

    assert run.status is RunStatus.succeeded, run.message
    assert during and set(during) == {YOUNG_THRESHOLD}
    assert gc.get_threshold() == before
