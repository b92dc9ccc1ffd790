"""A slice reads the unticked interests of its own members, not every member's (issue 17: no sync path
grows faster than the work).

Each slice of a run hands the planner its ledger entries with the interests their members unticked
themselves (``unticks.with_unticks``). Reading every untick of the audience for every slice cost
slices × unticks: a 1,000,000-contact audience in 50 slices, with one member in twenty having unticked
something, would read 2.5 million rows to use 50,000. EXPLAINed on both databases.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.sync import unticks
from constituent.integrations.mailchimp.sync.models import MemberUntick
from constituent.integrations.mailchimp.sync.types import LedgerEntry, RemoteStatus
from tests.integrations.mailchimp.sync.desired_helpers import add_integration
from tests.support.explained import explained_selects

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
OTHERS = 3_000  # members of the audience outside the slice, each with an untick
# Found through the (integration, address, interest) key with the address in the condition; a lookup
# by the integration alone reads every untick of the audience.
BY_ADDRESS = {
    "sqlite": re.compile(
        r"SEARCH mailchimp_member_unticks USING (COVERING )?INDEX "
        r"sqlite_autoindex_mailchimp_member_unticks_1 \(integration_id=\? AND subscriber_hash=\?\)"
    ),
    "postgresql": re.compile(r"Index Cond: \(\(integration_id = .*\) AND \(subscriber_hash = ANY"),
}


def _entry(subscriber_hash: str) -> LedgerEntry:
    return LedgerEntry(subscriber_hash, f"{subscriber_hash[:8]}@mailbox.org", RemoteStatus.subscribed, None)


def _untick(session: Session, integration_id: int, subscriber_hash: str, interest_id: str) -> None:
    session.add(
        MemberUntick(
            integration_id=integration_id,
            subscriber_hash=subscriber_hash,
            interest_id=interest_id,
            unticked_at=AT,
        )
    )


def test_a_slice_reads_the_unticks_of_its_own_members_by_their_addresses(session: Session) -> None:
    integration_id = add_integration(session).id
    for n in range(OTHERS):
        _untick(session, integration_id, f"{n:032x}", "volunteer")
    ann, bob = "a" * 32, "b" * 32
    _untick(session, integration_id, ann, "volunteer")
    _untick(session, integration_id, ann, "newsletter")
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE mailchimp_member_unticks"))

    with explained_selects(session, "mailchimp_member_unticks") as plans:
        view = unticks.with_unticks(session, integration_id, {ann: _entry(ann), bob: _entry(bob)})

    assert view[ann].unticked_interests == {"volunteer", "newsletter"}
    assert view[bob].unticked_interests == frozenset()
    dialect = session.get_bind().dialect.name
    reads = [(statement, plan) for statement, plan in plans if "interest_id" in statement]
    assert reads, "the unticks were read"
    for statement, plan in reads:
        assert BY_ADDRESS[dialect].search(plan), (statement, plan)


def test_a_slice_with_no_ledger_entries_reads_no_unticks(session: Session) -> None:
    integration_id = add_integration(session).id
    _untick(session, integration_id, "a" * 32, "volunteer")
    session.flush()

    with explained_selects(session, "mailchimp_member_unticks") as plans:
        assert unticks.with_unticks(session, integration_id, {}) == {}

    assert plans == []


def test_an_audience_nobody_unticked_anything_in_is_asked_once_not_by_address(session: Session) -> None:
    integration_id = add_integration(session).id
    elsewhere = add_integration(session).id
    _untick(session, elsewhere, "a" * 32, "volunteer")
    session.flush()
    entries = {f"{n:032x}": _entry(f"{n:032x}") for n in range(12_000)}

    with explained_selects(session, "mailchimp_member_unticks") as plans:
        view = unticks.with_unticks(session, integration_id, entries)

    assert view == entries
    assert len(plans) == 1
