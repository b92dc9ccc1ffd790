"""The planner never re-ticks an interest a member unticked herself in Mailchimp (issue 14: "no sync or
Resync ever re-ticks what she unticked"), over random audiences, full and incremental runs alike.

The rule is restated here from the issue, not imported from the planner.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constituent.integrations.mailchimp.sync.planner import apply_to_ledger, plan
from constituent.integrations.mailchimp.sync.types import ChangeEmail, DesiredMember, LedgerEntry, Upsert
from tests.integrations.mailchimp.sync.planner_strategies import Scenario, scenarios

INTEREST = "volunteer-interest"  # the interest planner_strategies' members want or not
CHECKED = settings(max_examples=200)


@st.composite
def scenarios_with_unticks(draw: st.DrawFn) -> Scenario:
    """Scenarios where some members (current or former addresses) unticked the interest themselves."""
    scenario = draw(scenarios())
    ledger = {
        h: replace(entry, unticked_interests=frozenset({INTEREST})) if draw(st.booleans()) else entry
        for h, entry in scenario.ledger.items()
    }
    return replace(scenario, ledger=ledger)


def sent_members(scenario: Scenario) -> list[tuple[DesiredMember, LedgerEntry | None]]:
    """Every member a plan writes fields to, with the ledger entry it was written over (or renamed from)."""
    result = plan(scenario.desired, scenario.ledger, scenario.options, scenario.scope)
    sent = []
    for operation in result.operations:
        if isinstance(operation, Upsert):
            sent.append((operation.member, scenario.ledger.get(operation.member.subscriber_hash)))
        elif isinstance(operation, ChangeEmail):
            sent.append((operation.member, scenario.ledger.get(operation.old_hash)))
    return sent


@pytest.mark.slow
@CHECKED
@given(scenarios_with_unticks())
def test_no_plan_ever_re_ticks_an_interest_the_member_unticked_herself(scenario: Scenario) -> None:
    for member, entry in sent_members(scenario):
        if entry is not None and INTEREST in entry.unticked_interests:
            assert member.interests.get(INTEREST) is not True


@pytest.mark.slow
@CHECKED
@given(scenarios_with_unticks())
def test_everything_else_the_database_wants_is_still_sent(scenario: Scenario) -> None:
    for member, _entry in sent_members(scenario):
        wanted = scenario.desired[member.subscriber_hash]
        assert member.merge_fields == wanted.merge_fields
        assert member.tags == wanted.tags
        assert member.interests.keys() == wanted.interests.keys()


@pytest.mark.slow
@CHECKED
@given(scenarios_with_unticks())
def test_planning_again_after_applying_writes_no_interest_back(scenario: Scenario) -> None:
    first = plan(scenario.desired, scenario.ledger, scenario.options, scenario.scope)
    after = apply_to_ledger(scenario.ledger, first.operations)
    # The ledger keeps her choice (it lives beside the entry, not in what Mailchimp answered).
    after = {
        h: replace(e, unticked_interests=scenario.ledger[h].unticked_interests) if h in scenario.ledger else e
        for h, e in after.items()
    }
    again = plan(scenario.desired, after, scenario.options, scenario.scope)
    for operation in again.operations:
        if isinstance(operation, Upsert) and operation.member.subscriber_hash in scenario.ledger:
            entry = scenario.ledger[operation.member.subscriber_hash]
            assert not (INTEREST in entry.unticked_interests and operation.member.interests.get(INTEREST))
