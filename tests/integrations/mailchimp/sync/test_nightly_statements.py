"""What a nightly run with nothing to send asks of the database (issue 17: the nightly run against a
script is ~0.12 s, of which each statement is ~0.5 ms on PostgreSQL and each transaction more): the
reconcile's answers that hold nobody are not applied (each was a transaction reading the integration
and the ledger for no member), a slice of no contact makes no temporary table, and the organization
settings row is read once a transaction, not once for each quick-list evaluation."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import event, update

from constituent.crm.activities.models import ChangeLogEntry
from constituent.crm.contacts.models import Contact, Email
from constituent.crm.organization.service import get_settings
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect


def test_a_nightly_run_with_nothing_to_send_makes_no_transaction_for_nobody(product: Product) -> None:
    with session_scope(product.db.sessions) as session:
        get_settings(session)  # a database made by the migrations has its row (migration 0030)
    audience = connect(product)
    add_people(product, "ann@mailbox.org", "bob@mailbox.org")
    assert audience.sync().status is RunStatus.succeeded
    a_day_ago = utcnow() - timedelta(days=1)
    with session_scope(product.db.sessions) as session:  # the next night: nothing changed since
        for model in (Contact, Email):
            session.execute(update(model).values(updated_at=a_day_ago))
        session.execute(update(ChangeLogEntry).values(changed_at=a_day_ago))
    tables: Counter[str] = Counter()
    transactions: list[object] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        for table in ("organization_settings", "sync_candidate_addresses"):
            if f"FROM {table}" in statement or f"TABLE IF NOT EXISTS {table}" in statement:
                tables[table] += 1

    def began(conn: Any) -> None:
        transactions.append(conn)

    event.listen(product.db.engine, "before_cursor_execute", seen)
    event.listen(product.db.engine, "begin", began)
    try:
        nightly = audience.sync()
    finally:
        event.remove(product.db.engine, "before_cursor_execute", seen)
        event.remove(product.db.engine, "begin", began)

    assert nightly.status is RunStatus.succeeded, nightly.message
    assert (nightly.requests_write, nightly.created, nightly.updated) == (0, 0, 0)
    assert tables["sync_candidate_addresses"] == 0
    # The row once in each transaction that lays the audience out (the reconcile's, to tell hand edits
    # from ours, and the run's), and whether it changed since the last run: not 16 times.
    assert tables["organization_settings"] == 3
    # 23 transactions before: the five status queries' empty answers were applied, one transaction each.
    assert len(transactions) <= 18, len(transactions)
