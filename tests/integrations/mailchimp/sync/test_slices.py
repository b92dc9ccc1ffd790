"""A run in slices (issue 17: memory that follows the slice, not the audience), over real HTTP on both
databases: slices of three contacts give the audience a single slice gives, an address shared across
slices is written once, a preview lists each address once, and the removal guard adds the slices up
before anything is written, and the next slice is sent while the one before is still answered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from constituent.crm.searches.models import SavedSearch
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.desired import reads_per_contact
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, SyncRun
from constituent.integrations.mailchimp.sync.slices import slice_count
from constituent.kit.db import session_scope
from tests.crm.searches.helpers import add_gift
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.consent.windows import point_at
from tests.integrations.mailchimp.sync.sync_helpers import (
    Audience,
    add_people,
    change_primary_email,
    connect,
    contact,
    group_with,
    map_group_as,
    update_person,
)
from tests.support.holding_proxy import HoldingProxy, second_arrives_while_first_is_held

SLICE = 3


def in_slices(audience: Audience, size: int = SLICE, **options: Any) -> SyncRun:
    settings = audience.product.settings.model_copy(update={"sync_slice_contacts": size})
    return run_sync(audience.database, settings, audience.integration_id, **options)


def people(count: int) -> list[str]:
    return [f"p{n:02}@mailbox.org" for n in range(count)]


def test_a_first_sync_in_slices_of_three_creates_every_member_once(product: Product) -> None:
    audience = connect(product)
    ids = add_people(product, *people(10))
    # The first and the last contact share an address: they fall in the first and the fourth slice.
    change_primary_email(product, ids[-1], "p00@mailbox.org")

    run = in_slices(audience)

    assert run.status is RunStatus.succeeded, run.message
    members = audience.members()
    assert sorted(members) == people(9)
    assert {m["status"] for m in members.values()} == {"subscribed"}
    assert (run.created, run.updated, run.errors) == (9, 0, 0)
    assert any("share p00@mailbox.org" in notice for notice in _notices(audience, run))
    assert in_slices(audience).requests_write == 0, "the next run finds nothing to write"


def test_the_next_slice_is_sent_while_the_slice_before_waits_for_its_answer(
    product: Product, holding_proxy_factory: Callable[[str], HoldingProxy]
) -> None:
    """Slices are applied two at a time: the second slice's claims and batch go out while the first
    slice's batch is still unanswered (held by the proxy), instead of waiting for it. A first sync of
    20,000 members on PostgreSQL had no request in flight for 1.1 s of its 3.5 s between slices
    (docs/BENCHMARKS.md, session 15)."""
    audience = connect(product)
    add_people(product, *people(10))
    proxy = holding_proxy_factory(product.emulator.base_url)
    batch = rf"/lists/{audience.audience_id}$"
    first, second = proxy.hold("POST", batch), proxy.hold("POST", batch)
    point_at(audience, proxy.api_base)

    # The second batch is sent while the first slice's answer is held.
    run = second_arrives_while_first_is_held(lambda: in_slices(audience), first, second)

    assert run.status is RunStatus.succeeded, run.message
    assert sorted(audience.members()) == people(10)
    assert (run.created, run.errors) == (10, 0)
    assert in_slices(audience).requests_write == 0, "every answer was stored"


def test_month_three_in_slices_applied_two_at_a_time_leaves_what_one_slice_leaves(product: Product) -> None:
    """An address passed from a contact of the first slice to one of the last, a rename, a leaver, an
    inactive contact, a changed name and a newcomer, synced in slices of three (two applied at once) and,
    on a twin audience of the same contacts, in one slice: both audiences end the same."""
    sliced, whole = connect(product), connect(product)
    ids = add_people(product, *people(12))
    assert in_slices(sliced).status is RunStatus.succeeded
    assert whole.sync().status is RunStatus.succeeded
    change_primary_email(product, ids[0], "moved@mailbox.org")
    change_primary_email(product, ids[10], "p00@mailbox.org")
    change_primary_email(product, ids[4], "renamed@mailbox.org")
    update_person(product, ids[6], do_not_email=True)
    update_person(product, ids[2], is_active=False)
    update_person(product, ids[8], last_name="Hopper")
    add_people(product, "newcomer@mailbox.org")

    in_pieces = in_slices(sliced, confirm_removals=True)  # 3 of 12 leave: past the guard
    at_once = whole.sync(confirm_removals=True)

    assert in_pieces.status is RunStatus.succeeded, in_pieces.message
    assert at_once.status is RunStatus.succeeded, at_once.message
    assert in_pieces.counters() == at_once.counters()
    assert _shape(sliced) == _shape(whole)
    assert _shape(sliced)["p00@mailbox.org"][1] == "P10", "the address carries its new owner's name"
    assert in_slices(sliced).requests_write == 0


def _shape(audience: Audience) -> dict[str, tuple[str, str, str, frozenset[str]]]:
    return {
        email: (m["status"], m["merge_fields"]["FNAME"], m["merge_fields"]["LNAME"], frozenset(m["tags"]))
        for email, m in audience.members().items()
    }


def test_a_full_resync_in_slices_changes_what_one_slice_would_and_nothing_else(product: Product) -> None:
    audience = connect(product)
    ids = add_people(product, *people(8))
    audience.sync()
    update_person(product, ids[1], last_name="Lovelace")
    update_person(product, ids[6], do_not_email=True)
    change_primary_email(product, ids[4], "renamed@mailbox.org")

    run = in_slices(audience, mode=RunMode.full, confirm_removals=True)

    assert run.status is RunStatus.succeeded, run.message
    assert (run.updated, run.archived, run.email_changes) == (1, 1, 1)
    statuses = {e: m["status"] for e, m in audience.members().items()}
    assert statuses["p06@mailbox.org"] == "archived"
    assert statuses["renamed@mailbox.org"] == "subscribed" and "p04@mailbox.org" not in statuses
    assert audience.member("p01@mailbox.org")["merge_fields"]["LNAME"] == "Lovelace"


def test_a_preview_in_slices_lists_a_shared_address_once(product: Product) -> None:
    audience = connect(product)
    ids = add_people(product, *people(7))
    change_primary_email(product, ids[6], "p00@mailbox.org")

    preview = in_slices(audience, dry_run=True)

    assert preview.status is RunStatus.succeeded, preview.message
    assert preview.created == 6
    with session_scope(product.db.sessions) as session:
        rows = runs.report_of(session, preview.id, limit=100, offset=0)
    assert sorted(row.email for row in rows) == people(6)
    assert audience.members() == {}, "a preview writes nothing"


def test_the_guard_adds_the_slices_up_before_anything_is_written(product: Product) -> None:
    audience = connect(product)
    ids = add_people(product, *people(30))
    audience.sync()
    # One leaves in each of four slices: 4 of 30 is past the guard's 10%, one slice's 1 of 30 is not.
    for contact_id in (ids[0], ids[3], ids[6], ids[9]):
        update_person(product, contact_id, do_not_email=True)
    update_person(product, ids[29], last_name="Changed")
    writes = audience.emulator_writes()

    stopped = in_slices(audience, mode=RunMode.full)

    assert stopped.status is RunStatus.needs_confirmation
    assert "would archive 4 of the audience's 30" in stopped.message
    assert audience.emulator_writes() == writes, "no slice wrote anything before the guard's count"

    confirmed = in_slices(audience, mode=RunMode.full, confirm_removals=True)

    assert confirmed.status is RunStatus.succeeded, confirmed.message
    assert (confirmed.archived, confirmed.updated) == (4, 1)


def test_a_run_the_guard_lets_through_plans_each_slice_once(product: Product) -> None:
    """The guard's count before writing asks only how many each slice archives (``archive_count``), so
    the run right after an import plans every slice once, not twice (each planning reads the members'
    unticked interests: one read a slice)."""
    audience = connect(product)
    ids = add_people(product, *people(12))
    audience.sync()
    update_person(product, ids[0], do_not_email=True)  # 1 of 12 leaves: under the guard's 10%
    for contact_id in ids[1:]:
        update_person(product, contact_id, last_name="Imported")
    unticks_read: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "FROM mailchimp_member_unticks" in statement:
            unticks_read.append(statement)

    event.listen(product.db.engine, "before_cursor_execute", seen)
    try:
        run = in_slices(audience)
    finally:
        event.remove(product.db.engine, "before_cursor_execute", seen)

    assert run.status is RunStatus.succeeded, run.message
    assert (run.archived, run.updated) == (1, 11)
    assert len(unticks_read) == slice_count(SLICE, 12) > 1


def test_slices_that_read_their_searches_per_contact_tag_everyone_as_one_statement_would(
    product: Product,
) -> None:
    audience = connect(product)
    ids = add_people(product, *people(24))
    canvassers = group_with(product, "Canvassers", ids[::3])
    map_group_as(audience, canvassers, SourceTarget.tag)
    with session_scope(product.db.sessions) as session:
        for contact_id in ids[::4]:
            add_gift(session, contact(session, contact_id), "300", "2026-01-15")
        either = [
            {"field": "in_group", "op": "eq", "value": canvassers},
            {"field": "total_given", "op": "gte", "value": 250},
        ]
        session.add(SavedSearch(name="Canvassers or givers", filter={"any": either}))
        session.add(
            SavedSearch(name="Not canvassers", filter={"field": "in_group", "op": "ne", "value": canvassers})
        )
    expected = audience.desired_tags()  # one statement over everyone: each search computed once
    assert reads_per_contact(1, len(ids)), "slices of one contact in 24 read their searches per contact"

    run = in_slices(audience, size=1)

    assert run.status is RunStatus.succeeded, run.message
    assert {e: frozenset(m["tags"]) for e, m in audience.members().items()} == expected
    assert {"Canvassers", "Canvassers or givers", "Not canvassers", "Donors"} <= set().union(
        *expected.values()
    )


def _notices(audience: Audience, run: SyncRun) -> list[str]:
    with session_scope(audience.product.db.sessions) as session:
        stored = runs.find(session, run.id)
        assert stored is not None
        return runs.notices_of(stored)
