"""Storing ledger rows (``ledger.save``), on both databases: a later write overwrites what it knows and
keeps what it does not (Mailchimp's person id, its last-changed time), and on SQLite the owner and person
columns are written only where they change (each named in an UPDATE's SET list made SQLite look the
contact up and rewrite that index for every row: 80 µs a row at 1,000,000 contacts). A claim's intent rows
(``ledger.create_absent``) are made only for addresses that have none, with no UPDATE after them. Rows
the writing transaction has just read (``ledger.held_rows``) are overwritten in place on SQLite, with the
same result as the upsert (a first sync answers every intent row this way)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact, ContactKind
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.types import Intent, LedgerEntry, RemoteStatus
from tests.integrations.mailchimp.sync.desired_helpers import add_integration

WRITTEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHANGED = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _contacts(session: Session, count: int) -> list[int]:
    session.execute(insert(Contact), [{"kind": ContactKind.individual} for _ in range(count)])
    return list(session.scalars(select(Contact.id).order_by(Contact.id)))


def _entry(n: int, contact_id: int, **fields: Any) -> LedgerEntry:
    return LedgerEntry(
        f"{n:032x}",
        f"m{n}@mailbox.org",
        RemoteStatus.subscribed,
        contact_id,
        last_contact_id=contact_id,
        **fields,
    )


def _row(session: Session, integration_id: int, n: int) -> LedgerRow:
    row = session.scalar(
        select(LedgerRow).filter_by(integration_id=integration_id, subscriber_hash=f"{n:032x}")
    )
    assert row is not None
    session.refresh(row)
    return row


def test_a_later_write_overwrites_what_it_knows_and_keeps_the_person_id_and_time_it_does_not(
    session: Session,
) -> None:
    ann, bob = _contacts(session, 2)
    integration_id = add_integration(session).id
    first = _entry(1, ann, fingerprint="old", tags=frozenset({"Donors"}), mc_contact_id="person-1")
    ledger.save(session, integration_id, [LedgerUpdate(first, last_changed=CHANGED)], WRITTEN)

    later = _entry(1, bob, fingerprint="new", intent=Intent.create)  # no person id, no time learnt
    ledger.save(session, integration_id, [LedgerUpdate(later)], None)

    row = _row(session, integration_id, 1)
    assert (row.contact_id, row.last_contact_id, row.fingerprint, row.tags) == (bob, bob, "new", [])
    assert (row.mc_contact_id, row.last_changed, row.last_synced_at) == ("person-1", CHANGED, WRITTEN)
    assert row.intent == "create"
    renamed_person = _entry(1, bob, fingerprint="new", mc_contact_id="person-2")
    ledger.save(session, integration_id, [LedgerUpdate(renamed_person)], WRITTEN)
    assert _row(session, integration_id, 1).mc_contact_id == "person-2"


def test_owner_and_person_columns_are_written_only_on_the_rows_where_they_change(session: Session) -> None:
    ann, bob, cy = _contacts(session, 3)
    integration_id = add_integration(session).id
    stored = [_entry(1, ann, mc_contact_id="p1"), _entry(2, bob, mc_contact_id="p2"), _entry(3, cy)]
    ledger.save(session, integration_id, [LedgerUpdate(e) for e in stored], WRITTEN)
    again = [
        _entry(1, ann, fingerprint="f", mc_contact_id="p1"),  # fields only
        _entry(2, cy, fingerprint="f", mc_contact_id="p2"),  # a new owner
        _entry(3, cy, fingerprint="f", mc_contact_id="p3"),  # Mailchimp's person id learnt
    ]

    updated: dict[str, int] = {}

    def counted(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.startswith("UPDATE mailchimp_ledger SET"):
            updated[statement.split(" = ")[0].removeprefix("UPDATE mailchimp_ledger SET ")] = cursor.rowcount

    connection = session.connection()
    event.listen(connection, "after_cursor_execute", counted)
    ledger.save(session, integration_id, [LedgerUpdate(e) for e in again], WRITTEN)
    event.remove(connection, "after_cursor_execute", counted)

    owners = [_row(session, integration_id, n).contact_id for n in (1, 2, 3)]
    people = [_row(session, integration_id, n).mc_contact_id for n in (1, 2, 3)]
    assert (owners, people) == ([ann, cy, cy], ["p1", "p2", "p3"])
    if session.get_bind().dialect.name == "sqlite":
        assert updated == {"contact_id": 1, "mc_contact_id": 1}


def test_rows_are_created_only_for_addresses_without_one_and_an_existing_row_is_left_as_it_is(
    session: Session,
) -> None:
    ann, bob = _contacts(session, 2)
    integration_id = add_integration(session).id
    held = _entry(1, ann, fingerprint="held", mc_contact_id="p1")
    held = replace(held, status=RemoteStatus.unsubscribed)
    ledger.save(session, integration_id, [LedgerUpdate(held)], WRITTEN)
    intents = [
        _entry(1, ann, intent=Intent.create),  # unsubscribed in Mailchimp since the run planned
        _entry(2, bob, intent=Intent.create, tags=frozenset({"Donors"}), mc_contact_id="p2"),
    ]

    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append(statement)

    connection = session.connection()
    event.listen(connection, "after_cursor_execute", seen)
    created = ledger.create_absent(session, integration_id, intents, WRITTEN)
    event.remove(connection, "after_cursor_execute", seen)

    assert created == {f"{2:032x}"}
    kept = _row(session, integration_id, 1)
    assert (kept.status, kept.fingerprint, kept.intent, kept.mc_contact_id) == (
        RemoteStatus.unsubscribed,
        "held",
        "",
        "p1",
    )
    new = _row(session, integration_id, 2)
    assert (new.contact_id, new.last_contact_id, new.intent, new.tags) == (bob, bob, "create", ["Donors"])
    assert (new.mc_contact_id, new.last_synced_at, new.status) == ("p2", WRITTEN, RemoteStatus.subscribed)
    # Nothing but the check and the insert: no UPDATE of the rows just made.
    assert not [s for s in statements if s.startswith("UPDATE mailchimp_ledger")]


def _stored_columns(session: Session, integration_id: int) -> list[tuple[Any, ...]]:
    query = select(LedgerRow).filter_by(integration_id=integration_id).order_by(LedgerRow.subscriber_hash)
    return [
        (
            row.subscriber_hash,
            row.email,
            row.contact_id,
            row.last_contact_id,
            row.status,
            row.fingerprint,
            row.tags,
            row.archived_by_us,
            row.refused,
            row.intent,
            row.mc_contact_id,
            row.archived_by_hand,
            row.last_changed,
            row.last_synced_at,
            row.last_error,
        )
        for row in session.scalars(query)
    ]


def test_rows_the_transaction_just_read_are_overwritten_in_place_with_the_same_result_as_the_upsert(
    session: Session,
) -> None:
    ann, bob, cy = _contacts(session, 3)
    read_first, upserted = add_integration(session).id, add_integration(session).id
    stored = [
        _entry(1, ann, intent=Intent.create),  # a claim's intent row: the answer brings the person id
        _entry(2, bob, fingerprint="old", mc_contact_id="p2"),  # fields only, the person id kept
        _entry(3, cy, mc_contact_id="p3"),  # a new owner: not overwritten in place
    ]
    answers = [
        LedgerUpdate(_entry(1, ann, fingerprint="f1", mc_contact_id="p1"), last_changed=CHANGED),
        LedgerUpdate(_entry(2, bob, fingerprint="f2", tags=frozenset({"Donors"})), error="late"),
        LedgerUpdate(_entry(3, ann, fingerprint="f3", mc_contact_id="p3")),
        LedgerUpdate(_entry(4, cy, fingerprint="f4")),  # no row yet
    ]
    for integration_id in (read_first, upserted):
        ledger.save(session, integration_id, [LedgerUpdate(e, last_changed=CHANGED) for e in stored], WRITTEN)

    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append(statement.split(" = ")[0] if statement.startswith("UPDATE") else statement[:11])

    connection = session.connection()
    event.listen(connection, "after_cursor_execute", seen)
    held = ledger.held_rows(session, read_first, [f"{n:032x}" for n in (1, 2, 3, 4)])
    ledger.save(session, read_first, answers, LATER, held)
    event.remove(connection, "after_cursor_execute", seen)
    ledger.save(session, upserted, answers, LATER)

    assert sorted(held) == [f"{n:032x}" for n in (1, 2, 3)]
    assert held[f"{1:032x}"].owner == (ann, ann, "")
    assert _stored_columns(session, read_first) == _stored_columns(session, upserted)
    assert _row(session, read_first, 1).mc_contact_id == "p1"
    assert _row(session, read_first, 2).mc_contact_id == "p2"
    if session.get_bind().dialect.name == "sqlite":
        # The rows 1 and 2 by one UPDATE each (the person id named only for 1); 3 and 4 by the upsert.
        assert statements.count("UPDATE mailchimp_ledger SET email") == 2
        assert statements.count("INSERT INTO") == 1


def test_entries_read_in_bulk_carry_the_tags_stored_whatever_the_set(session: Session) -> None:
    """Bulk reads parse each distinct stored tags text once (``ledger._entries``): every row still gets
    its own set, an empty one included."""
    ann, bob, cy = _contacts(session, 3)
    integration_id = add_integration(session).id
    stored = [
        _entry(1, ann, tags=frozenset({"Donors", "Volunteers"})),
        _entry(2, bob, tags=frozenset({"Donors"})),
        _entry(3, cy),
        _entry(4, cy, tags=frozenset({"Volunteers", "Donors"})),
    ]
    ledger.save(session, integration_id, [LedgerUpdate(e) for e in stored], WRITTEN)

    read = ledger.load_by_hashes(session, integration_id, [e.subscriber_hash for e in stored])

    assert {h: e.tags for h, e in read.items()} == {e.subscriber_hash: e.tags for e in stored}
    assert read == {e.subscriber_hash: e for e in stored}
    assert ledger.entry_of(_row(session, integration_id, 1)).tags == frozenset({"Donors", "Volunteers"})


def test_a_slices_entries_are_read_five_thousand_addresses_a_statement(session: Session) -> None:
    """A slice of a first sync asks for about 7,000 addresses: 500 a statement, each was built and
    compiled anew (14 statements a slice); the keys travel as one parameter, so 5,000 a statement."""
    integration = add_integration(session)
    stored = [_entry(n, None) for n in range(0, 14_000, 2)]  # every other address has a row
    ledger.save(session, integration.id, [LedgerUpdate(e) for e in stored], WRITTEN)
    asked = [f"{n:032x}" for n in range(14_000)]
    reads: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().startswith("SELECT") and "mailchimp_ledger" in statement:
            reads.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", seen)
    try:
        found = ledger.load_by_hashes(session, integration.id, asked)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", seen)

    assert set(found) == {e.subscriber_hash for e in stored}
    assert len(reads) == 3  # 14,000 addresses
