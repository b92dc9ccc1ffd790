"""Keyed lookups by a list of ids find exactly those rows, through the index, on both databases.

On PostgreSQL the ids travel as one array of the column's own type. (In ``bench/sync_vs_script.py`` a
``bigint[]`` against the integer ``contact_id`` left the comparison as a filter on stale statistics,
7.3 s instead of 1.2 s for 20,161 ledger rows; this small table does not reproduce that plan, so this
test checks the lookup and its index, not that regression.)
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact, ContactKind, Email
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.kit.keyed import among
from tests.integrations.mailchimp.sync.desired_helpers import add_integration

CONTACTS = 5_000


def _ledger(session: Session, ids: list[int]) -> int:
    integration = add_integration(session)
    rows = [
        {
            "integration_id": integration.id,
            "subscriber_hash": f"h{i}",
            "email": f"k{i}@example.org",
            "status": "subscribed",
            "contact_id": i,
        }
        for i in ids
    ]
    session.execute(insert(LedgerRow), rows)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE mailchimp_ledger"))
    return integration.id


def _emails(session: Session) -> list[int]:
    session.execute(insert(Contact), [{"kind": ContactKind.individual} for _ in range(CONTACTS)])
    ids = list(session.scalars(select(Contact.id).order_by(Contact.id)))
    rows = [
        {
            "contact_id": i,
            "address": f"k{i}@example.org",
            "address_normalized": f"k{i}@example.org",
            "domain": "example.org",
        }
        for i in ids
    ]
    session.execute(insert(Email), rows)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE emails"))
    return ids


def test_ids_looked_up_together_find_exactly_their_rows_through_the_index(session: Session) -> None:
    ids = _emails(session)
    integration_id = _ledger(session, ids)
    wanted = ids[::250]
    query = select(LedgerRow.contact_id).where(
        LedgerRow.integration_id == integration_id, among(session, LedgerRow.contact_id, wanted)
    )

    plans: list[str] = []
    explain = "EXPLAIN QUERY PLAN " if session.get_bind().dialect.name == "sqlite" else "EXPLAIN "

    def explained(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        raw = cursor.connection.cursor()  # the statement as sent, with its parameters as sent
        raw.execute(explain + statement, parameters)
        plans.append("\n".join(" ".join(str(part) for part in row) for row in raw.fetchall()))
        raw.close()

    connection = session.connection()
    event.listen(connection, "after_cursor_execute", explained)
    found = sorted(session.scalars(query))
    event.remove(connection, "after_cursor_execute", explained)
    plan = plans[0]

    assert found == wanted
    assert "ix_mailchimp_ledger_contact" in plan, plan
    # The ids are the index's condition, never a filter each row is compared with (the integration may
    # be one: on PostgreSQL the index holds the contact alone, see LedgerRow's indexes).
    assert not re.search(r"Filter: .*contact_id", plan), plan
