"""The candidates of an incremental run are read from the candidate side, never by scanning the CRM.

Issue 17: with every contact a candidate, the desired-state SELECT of each 10,000-address chunk walked
the whole contacts table (SQLite picked ``ix_contacts_kind``, then probed emails with the IN list), so
a run cost contacts × candidates. These tests EXPLAIN every statement that reads contacts or emails
while the desired state of a few candidates is built, on both databases, and fail on a full scan.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from datetime import date

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact, ContactKind, Email
from constituent.crm.contributions.models import Contribution
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.integrations.mailchimp.sync.desired import build_desired
from tests.crm.searches.helpers import add_group
from tests.integrations.mailchimp.sync.desired_helpers import add_integration, add_search, add_source
from tests.support.explained import explained_selects

TODAY = date(2026, 3, 15)
# Enough rows that PostgreSQL's planner prefers an index to a sequential scan when one fits.
CONTACTS = 20_000
# Reading a CRM table in full, in each database's EXPLAIN wording: a scan, or every individual
# through the index on the contact's kind.
FULL_SCAN = {
    "sqlite": re.compile(r"\bSCAN (contacts|emails)\b|ix_contacts_kind"),
    "postgresql": re.compile(r"Seq Scan on (contacts|emails)\b|Index (Only )?Scan using ix_contacts_kind"),
}


def _seed(session: Session, count: int) -> list[int]:
    """``count`` eligible contacts with a primary address each, written in two bulk statements."""
    session.execute(
        insert(Contact),
        [{"kind": ContactKind.individual, "first_name": f"P{n}", "last_name": "Plan"} for n in range(count)],
    )
    ids = list(session.scalars(select(Contact.id).order_by(Contact.id)))
    session.execute(
        insert(Email),
        [
            {
                "contact_id": contact_id,
                "address": f"p{contact_id}@mailbox.org",
                "address_normalized": f"p{contact_id}@mailbox.org",
                "domain": "mailbox.org",
                "is_primary": True,
            }
            for contact_id in ids
        ],
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE contacts"))
        session.execute(text("ANALYZE emails"))
    return ids


def explained_reads(session: Session) -> AbstractContextManager[list[tuple[str, str]]]:
    """(statement, plan) of every SELECT over contacts or emails run meanwhile."""
    return explained_selects(session, "contacts|emails")


def _outer(plan: str, dialect: str) -> str:
    """The plan of the statement itself: SQLite's lines whose parent is the top (a search's subquery is
    computed once per statement, whatever the candidates); PostgreSQL's plan whole."""
    if dialect != "sqlite":
        return plan
    return "\n".join(line for line in plan.splitlines() if line.split(" ", 2)[1] == "0")


@pytest.mark.slow
def test_the_desired_state_of_a_few_candidates_reads_no_crm_table_in_full(session: Session) -> None:
    ids = _seed(session, CONTACTS)
    volunteers = add_group(session, "Volunteers")
    integration = add_integration(session)
    add_source(session, integration, volunteers, SourceTarget.tag)
    in_illinois = add_search(session, "Illinois", {"field": "state", "op": "eq", "value": "IL"})
    add_source(session, integration, in_illinois, SourceTarget.tag)
    # Few enough (0.1%) that PostgreSQL too prefers keyed lookups to one pass over the table; SQLite
    # (no statistics) chose its plan by the shape of the query alone.
    candidates = ids[::1000]

    with explained_reads(session) as plans:
        desired = build_desired(session, integration, TODAY, candidates)

    assert sorted(m.owner_contact_id for m in desired.members.values()) == candidates
    assert plans, "the desired state was built without reading contacts"
    dialect = session.get_bind().dialect.name
    scans = [
        (statement, plan) for statement, plan in plans if FULL_SCAN[dialect].search(_outer(plan, dialect))
    ]
    assert scans == []


# Any table of the CRM read in full, at any depth of the plan (a search's subquery included).
WHOLE_TABLE = {
    "sqlite": re.compile(r"\bSCAN (contacts|emails|contributions|group_memberships)\b"),
    "postgresql": re.compile(r"Seq Scan on (contacts|emails|contributions|group_memberships)\b"),
}


def _gifts(session: Session, ids: list[int]) -> None:
    """A gift from every contact, written in one bulk statement (the searches below aggregate them)."""
    session.execute(
        insert(Contribution),
        [
            {"contact_id": contact_id, "amount": 100 + contact_id % 300, "received_on": TODAY}
            for contact_id in ids
        ],
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE contributions"))


@pytest.mark.slow
def test_a_slice_reads_its_searches_per_contact_not_over_the_whole_tables(session: Session) -> None:
    """Issue 17: a search's subquery computed once per statement costs as much for a slice of 2,000
    contacts as for all of them, and a 1,000,000-contact run has 50 slices. A slice's statement ties each
    search to the contact it reads (``compile_predicate(per_contact=True)``): keyed probes, no table
    read in full."""
    ids = _seed(session, CONTACTS)
    _gifts(session, ids)
    integration = add_integration(session)
    searches = {
        "Gave 250+": {"field": "total_given", "op": "gte", "value": 250},
        "Gmail": {"field": "email_domain", "op": "eq", "value": "gmail.com"},
        "Last gift this year": {"field": "last_gift_date", "op": "gte", "value": "2026-01-01"},
        "Not volunteers": {"field": "in_group", "op": "ne", "value": add_group(session, "Volunteers").id},
    }
    for name, raw in searches.items():
        add_source(session, integration, add_search(session, name, raw), SourceTarget.tag)
    add_source(session, integration, add_group(session, "Canvassers"), SourceTarget.tag)
    candidates = ids[::1000]

    with explained_reads(session) as plans:
        desired = build_desired(session, integration, TODAY, candidates, per_contact=True)

    assert sorted(m.owner_contact_id for m in desired.members.values()) == candidates
    big_givers = {c for c in candidates if 100 + c % 300 >= 250}
    tagged = {m.owner_contact_id for m in desired.members.values() if "Gave 250+" in m.tags}
    assert tagged == big_givers
    dialect = session.get_bind().dialect.name
    scans = [(statement, plan) for statement, plan in plans if WHOLE_TABLE[dialect].search(plan)]
    assert scans == []
