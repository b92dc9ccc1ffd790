"""Full resync: the ledger is rebuilt from what Mailchimp holds, so drift there is seen and repaired."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.inbound.events import EventType
from constituent.integrations.mailchimp.responses import parse_timestamp
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, SyncRun
from constituent.integrations.mailchimp.sync.refresh import RefreshedView
from constituent.integrations.mailchimp.sync.types import LedgerEntry, RemoteStatus
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.consent.windows import deliver, point_at, sync_through
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect, update_person
from tests.support.holding_proxy import Hold, HoldingProxy, second_arrives_while_first_is_held


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


def test_a_refresh_asks_for_the_archived_members_while_the_listing_is_still_unanswered(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    """The two listings a refresh reads (every member but the archived ones, then the archived ones)
    start together: a first sync or a full resync waits one round trip less before it plans (three
    round trips of a second each came before the first slice was planned; docs/BENCHMARKS.md, session 15)."""
    audience = connect(product)
    add_people(product, "ada@mailbox.org", "bob@mailbox.org")
    proxy = holding_proxy_factory(product.emulator.base_url)

    run = _first_sync_reading_both_at_once(audience, proxy, LISTING, "status=archived")

    assert run.status is RunStatus.succeeded, run.message
    assert sorted(audience.members()) == ["ada@mailbox.org", "bob@mailbox.org"]


def test_a_first_sync_asks_for_the_listing_while_the_reconcile_reads_and_stores_it_after(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    """A run sure to refresh (a first sync, a full resync) asks for the audience's listing while its
    reconcile reads Mailchimp's changes (one round trip fewer before planning), and stores it only after
    the reconcile has applied them, in the run's order: a member unsubscribed there before the first
    sync is not re-subscribed, and the ledger holds her as unsubscribed."""
    audience = connect(product)
    add_people(product, "ada@mailbox.org", "bob@mailbox.org")
    with product.emulator.api_client(audience.api_key) as client:  # signed up there, then left
        answer = client.post(
            f"/lists/{audience.audience_id}/members",
            json={"email_address": "bob@mailbox.org", "status": "subscribed"},
        )
        assert answer.status_code == 200, answer.text
    audience.person_action("bob@mailbox.org", "unsubscribe")
    proxy = holding_proxy_factory(product.emulator.base_url)

    run = _first_sync_reading_both_at_once(audience, proxy, "status=unsubscribed", LISTING)

    assert run.status is RunStatus.succeeded, run.message
    statuses = {e: m["status"] for e, m in audience.members().items()}
    assert statuses == {"ada@mailbox.org": "subscribed", "bob@mailbox.org": "unsubscribed"}
    assert audience.ledger()[subscriber_hash("bob@mailbox.org")].status is RemoteStatus.unsubscribed


LISTING = r"^(?!.*status=)"  # the listing of every member but the archived ones: no status asked


def _first_sync_reading_both_at_once(
    audience: Audience, proxy: HoldingProxy, first: str, second: str
) -> SyncRun:
    """A sync through ``proxy`` in which the read of the members whose query matches ``second`` is
    asked for while the one matching ``first`` is held (else an AssertionError)."""
    members = rf"/lists/{audience.audience_id}/members$"
    held = proxy.hold("GET", members, query_pattern=first)
    awaited = proxy.hold("GET", members, query_pattern=second)
    point_at(audience, proxy.api_base)
    return second_arrives_while_first_is_held(audience.sync, held, awaited)


def _members(audience: Audience) -> str:
    return rf"/lists/{audience.audience_id}/members$"


def _ada_and_bob_synced_with_the_listing_held(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> tuple[Audience, HoldingProxy, Hold, datetime | None]:
    """Ada and Bob synced; a proxy that will hold the next listing of the audience once Mailchimp has
    answered it; and the time Mailchimp holds for Bob (the listing's "last_changed")."""
    audience = connect(product)
    add_people(product, "ada@mailbox.org", "bob@mailbox.org")
    assert audience.sync().status is RunStatus.succeeded
    listed_at = parse_timestamp(audience.member("bob@mailbox.org")["last_changed"])
    proxy = holding_proxy_factory(product.emulator.base_url)
    listing = proxy.hold("GET", _members(audience), stage="after", query_pattern=LISTING)
    return audience, proxy, listing, listed_at


def test_an_unsubscribe_read_after_the_listing_is_not_overwritten_by_the_listing(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    """A full resync's listing answered (held on its way back) before Bob unsubscribes in Mailchimp; the
    run's reconcile then reads the unsubscribe and stores it. The listing's older "subscribed" is not
    stored over it (Mailchimp's time on the row is later than the listing's): the row is read again, and
    the ledger holds what Mailchimp holds. Stored over, the ledger said subscribed while Mailchimp said
    unsubscribed, and a later archive of Bob would have been recorded as ours (re-added with a status)."""
    audience, proxy, listing, listed_at = _ada_and_bob_synced_with_the_listing_held(
        product, holding_proxy_factory
    )
    reconcile = proxy.hold("GET", _members(audience), query_pattern=r"status=unsubscribed")

    running = sync_through(audience, proxy, mode=RunMode.full)
    try:
        listing.wait_arrived()  # Mailchimp has answered the listing: Bob subscribed
        reconcile.wait_arrived()
        _next_second_after(listed_at)  # Mailchimp's times are whole seconds
        audience.person_action("bob@mailbox.org", "unsubscribe")
    finally:
        reconcile.release()  # reads Bob unsubscribed
        listing.release()
    run = running.finish()

    assert run.status is RunStatus.succeeded, run.message
    assert audience.member("bob@mailbox.org")["status"] == "unsubscribed"
    assert audience.ledger()[subscriber_hash("bob@mailbox.org")].status is RemoteStatus.unsubscribed
    assert audience.ledger()[subscriber_hash("ada@mailbox.org")].status is RemoteStatus.subscribed


def test_a_full_preview_keeps_an_unsubscribe_that_landed_after_the_listing_as_the_resync_does(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    """The preview's listing answered (held on its way back) before Bob unsubscribes in Mailchimp and the
    webhook stores it. The preview must not take the listing's older "subscribed" over it, as the run
    itself does not (the test above): it then says what the full resync does. Before, the preview
    planned Bob as subscribed and said nothing of the unsubscribe the resync then refused to undo."""
    audience, proxy, listing, listed_at = _ada_and_bob_synced_with_the_listing_held(
        product, holding_proxy_factory
    )

    running = sync_through(audience, proxy, mode=RunMode.full, dry_run=True)
    try:
        listing.wait_arrived()  # Mailchimp has answered the listing: Bob subscribed
        _next_second_after(listed_at)  # Mailchimp's times are whole seconds
        audience.person_action("bob@mailbox.org", "unsubscribe")
        deliver(audience, EventType.unsubscribe, "bob@mailbox.org", reason="manual")
    finally:
        listing.release()
    preview = running.finish()
    point_at(audience, product.emulator.api_base)
    resync = audience.full()

    assert preview.status is resync.status is RunStatus.succeeded, (preview.message, resync.message)
    counters = ("created", "updated", "archived", "refused", "tags_added", "email_changes")
    assert {c: getattr(preview, c) for c in counters} == {c: getattr(resync, c) for c in counters}
    assert resync.refused == 1  # Bob, unsubscribed: never re-subscribed
    assert audience.member("bob@mailbox.org")["status"] == "unsubscribed"


def _next_second_after(moment: datetime | None) -> None:
    """Wait on the clock (not for an event to happen) until a whole second later than ``moment``."""
    assert moment is not None
    while datetime.now(UTC).replace(microsecond=0) <= moment:
        time.sleep(0.05)


def test_a_full_preview_finds_what_the_full_resync_then_repairs_and_writes_nothing(product: Product) -> None:
    audience = connect(product)
    ids = add_people(product, *(f"p{n}@mailbox.org" for n in range(6)))
    audience.sync()
    audience.person_action("p1@mailbox.org", "update-profile", merge_fields={"FNAME": "Typed there"})
    with product.emulator.api_client(audience.api_key) as client:
        members = f"/lists/{audience.audience_id}/members"
        gone = client.post(f"{members}/{subscriber_hash('p2@mailbox.org')}/actions/delete-permanent")
        signed_up = client.post(members, json={"email_address": "signed@mailbox.org", "status": "subscribed"})
    assert gone.status_code == 204 and signed_up.status_code == 200
    update_person(product, ids[3], last_name="Changed here")
    ledger_before, writes_before = audience.ledger(), audience.emulator_writes()

    preview = audience.full(dry_run=True)

    assert preview.status is RunStatus.succeeded, preview.message
    assert (audience.ledger(), audience.emulator_writes()) == (ledger_before, writes_before)
    resync = audience.full()
    counters = ("created", "updated", "archived", "refused", "tags_added", "email_changes")
    assert {c: getattr(preview, c) for c in counters} == {c: getattr(resync, c) for c in counters}
    assert (resync.updated, resync.refused) == (2, 1)  # p1 put back, p3 changed here; p2 forgotten


def test_a_refreshed_view_keeps_only_the_members_that_differ_from_the_stored_ledger() -> None:
    stored = {
        h: LedgerEntry(h, f"{h}@mailbox.org", RemoteStatus.subscribed, contact_id=n)
        for n, h in enumerate(("h0", "h1", "h2"))
    }
    unsubscribed = replace(stored["h1"], status=RemoteStatus.unsubscribed)
    new = LedgerEntry("h9", "h9@mailbox.org", RemoteStatus.subscribed)
    view = RefreshedView()

    view.add(stored, [LedgerUpdate(stored["h0"]), LedgerUpdate(unsubscribed), LedgerUpdate(new)])
    view.add(stored, [LedgerUpdate(unsubscribed)])  # listed twice: the listing shifted under paging

    assert view.changed == {"h1": unsubscribed, "h9": new}
    assert view.over(stored) == {"h0": stored["h0"], "h1": unsubscribed, "h2": stored["h2"]}
    assert view.subscribed(3) == 3  # h1 left, h9 came
