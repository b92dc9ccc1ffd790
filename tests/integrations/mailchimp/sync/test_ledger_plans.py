"""Reading ledger rows by address, by contact or by person costs the rows asked for, never the whole audience.

Issue 17, found measuring the first sync on PostgreSQL (23.5 s against 5.0 s on SQLite, 20,161
members): each page of 500 members reads its rows back by subscriber hash (the compare-and-set before
the request and after the answer). While the audience grows during the run the table's statistics still
say the integration has almost no rows, so PostgreSQL read all of the integration's rows through the
(integration, contact) index and compared each with the 500 hashes: a page cost the audience so far,
and a first sync audience² / 500. These tests build exactly that moment (statistics taken before the
integration's rows were written) and EXPLAIN every read of the ledger by hash, on both databases.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.campaigns.repository import ledger_contacts
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.types import LedgerEntry, RemoteStatus
from constituent.kit.clock import utcnow
from tests.integrations.mailchimp.sync.desired_helpers import add_integration
from tests.support.explained import explained_selects

MEMBERS = 20_000
# Each address found through the (integration, address) key; anything else walks the audience.
KEYED = {
    # SQLite names the unique constraint's index itself.
    "sqlite": re.compile(
        r"SEARCH mailchimp_ledger USING (COVERING )?INDEX sqlite_autoindex_mailchimp_ledger_\d+"
    ),
    # Both key columns in the index condition: a condition on the integration alone walks the audience.
    "postgresql": re.compile(
        r"Index Scan using uq_mailchimp_ledger_member on mailchimp_ledger.*\n.*"
        r"Index Cond: \(\(integration_id = .*subscriber_hash"
    ),
}
OTHER_INDEXES = (
    "ix_mailchimp_ledger_contact|ix_mailchimp_ledger_person_id|ix_mailchimp_ledger_integration_contact"
)
WALKS = {
    "sqlite": re.compile(rf"SCAN mailchimp_ledger|{OTHER_INDEXES}"),
    "postgresql": re.compile(rf"Seq Scan on mailchimp_ledger|{OTHER_INDEXES}"),
}


def _members(session: Session, integration_id: int, count: int, start: int = 0) -> list[str]:
    hashes = [f"{n:032x}" for n in range(start, start + count)]
    entries = (
        LedgerEntry(h, f"m{n}@mailbox.org", RemoteStatus.subscribed, mc_contact_id=f"p{n:08}")
        for n, h in zip(range(start, start + count), hashes, strict=True)
    )
    ledger.save(session, integration_id, [LedgerUpdate(e) for e in entries], utcnow())
    return hashes


@pytest.mark.slow
def test_a_page_of_members_is_read_back_by_its_addresses_even_when_statistics_say_the_audience_is_empty(
    session: Session,
) -> None:
    older = add_integration(session)
    _members(session, older.id, MEMBERS)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE mailchimp_ledger"))  # before the new audience's rows: stale for it
    growing = add_integration(session)
    page = _members(session, growing.id, MEMBERS)[-ledger.CHUNK :]

    with explained_selects(session, "mailchimp_ledger") as plans:
        statuses = ledger.statuses_of(session, growing.id, page, lock=True)
        entries = ledger.load_by_hashes(session, growing.id, page)
        owners = ledger_contacts(session, growing.id, page)

    assert len(statuses) == len(entries) == len(page) and owners == {}
    dialect = session.get_bind().dialect.name
    assert len(plans) == 3
    for statement, plan in plans:
        assert KEYED[dialect].search(plan), (statement, plan)
        assert not WALKS[dialect].search(plan), (statement, plan)


def _emptied_with_statistics_taken(session: Session) -> None:
    """The only audience deleted and the ledger ANALYZEd before its dead rows could be removed (a long
    transaction open, or the next vacuum not yet come): PostgreSQL's statistics then say 0 rows on the
    table's pages, so it estimates the ledger empty whatever is added, and every index costs the same."""
    older = add_integration(session)
    _members(session, older.id, MEMBERS)
    session.execute(delete(MailchimpIntegration).where(MailchimpIntegration.id == older.id))
    session.execute(text("ANALYZE mailchimp_ledger"))


@pytest.mark.slow
def test_a_new_audience_is_read_by_its_addresses_while_statistics_say_the_emptied_ledger_is_empty(
    session: Session,
) -> None:
    """Session 18 found it after deleting the only audience and connecting another: one keyed read of
    the new audience's members ran for over 49 s, every address walking the whole person-id index."""
    _emptied_with_statistics_taken(session)
    growing = add_integration(session)
    wanted = [f"{n:032x}" for n in range(MEMBERS, MEMBERS + ledger.CHUNK)]

    with explained_selects(session, "mailchimp_ledger") as before_any_row:
        assert ledger.load_by_hashes(session, growing.id, wanted) == {}  # the first slice's planning read
    _members(session, growing.id, MEMBERS, start=MEMBERS)
    with explained_selects(session, "mailchimp_ledger") as with_rows:
        statuses = ledger.statuses_of(session, growing.id, wanted, lock=True)
        entries = ledger.load_by_hashes(session, growing.id, wanted)

    assert len(statuses) == len(entries) == len(wanted)
    dialect = session.get_bind().dialect.name
    assert len(before_any_row) == 1 and len(with_rows) == 2
    for statement, plan in before_any_row + with_rows:
        assert KEYED[dialect].search(plan), (statement, plan)
        assert not WALKS[dialect].search(plan), (statement, plan)


# A contact's or a person's rows, found through that column's own index. A condition on the integration
# alone (the unique key's first column) reads every row of the audience for each statement: a first sync
# reads each slice's contacts' rows, so it read the audience so far once per slice.
BY_COLUMN = {
    "sqlite": re.compile(r"SEARCH mailchimp_ledger USING INDEX ix_mailchimp_ledger_(contact|person_id) \("),
    "postgresql": re.compile(r"Index Scan (using|on) ix_mailchimp_ledger_(contact|person_id)"),
}
# On PostgreSQL the integration is no condition of the ledger's scan at all, only of the rows it found:
# the planner is never offered the integration's range of the key, whatever its statistics say (the
# plan chosen between two indexes the statistics cost the same depends on their sizes).
THE_LEDGERS_OWN_INTEGRATION = re.compile(r"(?<!found\.)integration_id")
WALKS_THE_AUDIENCE = {
    "sqlite": re.compile(r"SCAN mailchimp_ledger|sqlite_autoindex_mailchimp_ledger"),
    "postgresql": re.compile(r"Seq Scan on mailchimp_ledger|uq_mailchimp_ledger_member"),
}


@pytest.mark.slow
def test_a_new_audiences_rows_are_read_by_contact_and_by_person_while_statistics_say_the_ledger_is_empty(
    session: Session,
) -> None:
    """Session 20 found it timing a first sync of 1,000,000 contacts after deleting the audience before:
    each slice's read of its contacts' rows took PostgreSQL's plan through the integration's whole range of
    the unique key (the statistics said the integration had no rows), 265 s in all; the run took minutes
    more than with statistics taken. The nightly runs after it read all 686,221 members for the deleted
    contacts' (0.5 s each)."""
    _emptied_with_statistics_taken(session)
    growing = add_integration(session)
    _members(session, growing.id, MEMBERS, start=MEMBERS)
    people = [f"p{n:08}" for n in range(MEMBERS, MEMBERS + 200)]

    with explained_selects(session, "mailchimp_ledger") as plans:
        by_person = ledger.load_by_people(session, growing.id, people)
        ledger.load_by_contacts(session, growing.id, list(range(1, ledger.KEYS_CHUNK + 1)))
        ledger.with_deleted_owners(session, growing.id)  # every nightly run's first slice

    assert sorted(by_person) == people
    dialect = session.get_bind().dialect.name
    assert len(plans) == 3
    for statement, plan in plans:
        assert BY_COLUMN[dialect].search(plan), (statement, plan)
        assert not WALKS_THE_AUDIENCE[dialect].search(plan), (statement, plan)
        if dialect == "postgresql":
            assert not THE_LEDGERS_OWN_INTEGRATION.search(plan), (statement, plan)
