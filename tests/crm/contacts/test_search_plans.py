"""Issue 15: the search box must not read every contact at 1,000,000 (it took 1.8-4.4 s there).

Each database's plan for a name, an email and a phone number goes through the search indexes
(``crm/contacts/search_index.py``), never a full scan of contacts or emails (bench/contact_search.py
has the figures)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from constituent.crm.contacts import finding
from constituent.crm.contacts.models import Contact


def _plan(session: Session, typed: str) -> str:
    query = select(Contact.id).where(
        finding.matches(finding.Query.parse(typed), session.get_bind().dialect.name)
    )
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask whether an index can serve
    return "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {compiled}")))


@pytest.mark.parametrize("typed", ["kyle silva", "k.silva@example.org", "555 0101"])
def test_a_search_reads_the_search_indexes_not_every_contact(session: Session, typed: str) -> None:
    plan = _plan(session, typed)

    if session.get_bind().dialect.name == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan, plan
        assert "SCAN contacts" not in plan and "SCAN emails" not in plan, plan  # emails: by their indexes
    else:
        assert "Seq Scan on contacts" not in plan and "Seq Scan on emails" not in plan, plan
        assert "_trgm" in plan, plan
