"""A new audience's ledger read by address after the only other audience was deleted and the ledger
analysed before its dead rows were removed: PostgreSQL's statistics then say the table is empty.

    PYTHONPATH=. .venv/bin/python bench/ledger_taken_for_empty.py [--deleted 100000] [--members 20000]

Side by side in one run, on two schemas of the same server: the indexes as migration 0029 left them
(contact and person ids first, the integration second) and as 0031 leaves them on PostgreSQL (their own
column alone). Each schema gets ``--deleted`` members of an audience that is then deleted and the ledger
ANALYZEd in the same transaction, then ``--members`` of a new audience; the figure is one read of a
page's 500 addresses by ``ledger.statuses_of`` (the compare-and-set of every batch page), median of 5.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from bench.sync_setup import POSTGRES_SERVER, offline_integration
from sqlalchemy import Engine, delete, event, text
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync import ledger
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.types import LedgerEntry, RemoteStatus
from constituent.kit.clock import utcnow
from constituent.kit.db import make_engine
from constituent.models import Base

BEFORE = (
    "DROP INDEX ix_mailchimp_ledger_contact; DROP INDEX ix_mailchimp_ledger_person_id; "
    "CREATE INDEX ix_mailchimp_ledger_contact ON mailchimp_ledger (contact_id, integration_id); "
    "CREATE INDEX ix_mailchimp_ledger_person_id ON mailchimp_ledger (mc_contact_id, integration_id)"
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deleted", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=20_000)
    args = parser.parse_args()
    admin = make_engine(f"{POSTGRES_SERVER}/postgres")
    print(f"{args.deleted:,} members deleted with their audience, {args.members:,} in the new one")
    print("| ledger indexes | one read of 500 addresses (median of 5) | its plan's index |")
    print("|---|---|---|")
    variants = (("0029: contact, person id, then the integration", BEFORE), ("0031: their own column", ""))
    for label, extra in variants:
        schema = f"bench_empty_{uuid.uuid4().hex[:8]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(f"{POSTGRES_SERVER}/postgres", schema=schema)
        try:
            seconds, index = _measure(engine, extra, args.deleted, args.members)
            print(f"| {label} | {seconds * 1000:,.1f} ms | {index} |")
        finally:
            engine.dispose()
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _measure(engine: Engine, extra_ddl: str, deleted: int, members: int) -> tuple[float, str]:
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        if extra_ddl:
            connection.exec_driver_sql(extra_ddl)
    with Session(engine) as session:
        older = offline_integration(session, f"aud{uuid.uuid4().hex[:6]}")
        _members(session, older.id, 0, deleted)
        session.commit()
        session.execute(delete(MailchimpIntegration).where(MailchimpIntegration.id == older.id))
        session.execute(text("ANALYZE mailchimp_ledger"))  # the dead rows not yet removable
        session.commit()
        growing = offline_integration(session, f"aud{uuid.uuid4().hex[:6]}")
        page = _members(session, growing.id, deleted, members)[-ledger.CHUNK :]
        session.commit()
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            assert len(ledger.statuses_of(session, growing.id, page)) == len(page)
            timings.append(time.perf_counter() - started)
            session.rollback()
        plan = _plan(session, lambda: ledger.statuses_of(session, growing.id, page))
    index = next((word for word in plan.split() if word.startswith(("uq_", "ix_"))), "none")
    return statistics.median(timings), index


def _plan(session: Session, read: Callable[[], object]) -> str:
    """The plan of the ledger statement ``read`` runs, EXPLAINed on the spot with its parameters."""
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "mailchimp_ledger" not in statement:
            return
        raw = cursor.connection.cursor()
        raw.execute("EXPLAIN " + statement, parameters)
        plans.append("\n".join(row[0] for row in raw.fetchall()))
        raw.close()

    connection = session.connection()
    event.listen(connection, "after_cursor_execute", explain)
    try:
        read()
    finally:
        event.remove(connection, "after_cursor_execute", explain)
    return plans[0]


def _members(session: Session, integration_id: int, start: int, count: int) -> list[str]:
    numbers = range(start, start + count)
    hashes = [f"{n:032x}" for n in numbers]
    entries = (
        LedgerEntry(h, f"m{n}@mailbox.org", RemoteStatus.subscribed, mc_contact_id=f"p{n:09}")
        for n, h in zip(numbers, hashes, strict=True)
    )
    ledger.save(session, integration_id, [LedgerUpdate(e) for e in entries], utcnow())
    return hashes


if __name__ == "__main__":
    main()
