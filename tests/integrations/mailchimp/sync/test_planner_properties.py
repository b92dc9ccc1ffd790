"""Properties of the planner over random audiences: the desired state is reached, consent is never overridden.

Each test states one promise from issue 5 and checks it on a couple of hundred generated scenarios.
The rules are restated here from the issue, not imported from the planner, so the two can disagree.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constituent.integrations.mailchimp.sync.batch_subscribe import member_writes
from constituent.integrations.mailchimp.sync.planner import (
    MemberAnswer,
    after_write,
    apply_to_ledger,
    archive_count,
    guard_trips,
    operation_hash,
    plan,
)
from constituent.integrations.mailchimp.sync.types import (
    AddTag,
    Archive,
    ChangeEmail,
    LedgerEntry,
    Operation,
    Plan,
    Refusal,
    RemoteStatus,
    RemoveTag,
    Upsert,
)
from tests.integrations.mailchimp.sync.planner_strategies import LEFT, OWNED, Scenario, scenarios

CHECKED = settings(max_examples=200)
SUBSCRIBED, ARCHIVED = RemoteStatus.subscribed, RemoteStatus.archived
WRITABLE_EXISTING = {RemoteStatus.subscribed, RemoteStatus.pending, RemoteStatus.transactional}


def kept_current(entry: LedgerEntry) -> bool:
    """Held, yet ours: unsubscribed or cleaned members still get fields and our tags (never a status)."""
    return entry.status in {RemoteStatus.unsubscribed, RemoteStatus.cleaned} and entry.contact_id is not None


def held(entry: LedgerEntry) -> bool:
    """Beyond a sync's reach: the person's choice, a refusal, or archived in Mailchimp."""
    person_or_mailchimp = {RemoteStatus.unsubscribed, RemoteStatus.cleaned, RemoteStatus.forgotten}
    archived_there = entry.status is ARCHIVED and not entry.archived_by_us
    return bool(entry.refused) or entry.status in person_or_mailchimp or archived_there


def planned(scenario: Scenario) -> Plan:
    return plan(scenario.desired, scenario.ledger, scenario.options, scenario.scope)


def renamed_from(scenario: Scenario, result: Plan) -> dict[str, LedgerEntry]:
    return {op.member.subscriber_hash: scenario.ledger[op.old_hash] for op in result.of_type(ChangeEmail)}


def addresses_touched(operation: Operation) -> set[str]:
    old = {operation.old_hash} if isinstance(operation, ChangeEmail) else set()
    return {operation_hash(operation), *old}


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_applying_the_plan_gives_every_desired_address_its_desired_state_unless_mailchimp_holds_it(
    scenario: Scenario,
) -> None:
    result = planned(scenario)
    after = apply_to_ledger(scenario.ledger, result)
    sources = renamed_from(scenario, result)
    for subscriber_hash, wanted in scenario.desired.items():
        before = scenario.ledger.get(subscriber_hash)
        if before is not None and held(before):
            if kept_current(before):
                got = after[subscriber_hash]
                assert (got.status, got.refused, got.fingerprint) == (
                    before.status,
                    before.refused,
                    wanted.fingerprint,
                )
                assert got.tags & OWNED == wanted.tags
            else:
                assert after[subscriber_hash] == before
            continue
        source = before or sources.get(subscriber_hash)
        got = after[subscriber_hash]
        # Only a new (or archived-by-us) member takes status_if_new; a renamed one keeps its own.
        kept = None if source is None or source.status is ARCHIVED else source.status
        assert got.status == (kept or RemoteStatus(scenario.options.status_if_new))
        assert (got.email, got.fingerprint, got.contact_id) == (
            wanted.email,
            wanted.fingerprint,
            wanted.owner_contact_id,
        )
        assert got.tags & OWNED == wanted.tags
        # Tags we wrote under names no longer given are gone, except those left on the members.
        assert got.tags - OWNED == (source.tags & (LEFT - OWNED) if source else frozenset())


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_the_plan_never_writes_the_status_of_an_existing_member(scenario: Scenario) -> None:
    result = planned(scenario)
    for upsert in result.of_type(Upsert):
        before = scenario.ledger.get(upsert.member.subscriber_hash)
        if upsert.is_new:
            assert before is None or (
                before.status is ARCHIVED and before.archived_by_us and not before.refused
            )
        else:
            assert before is not None
            assert (before.status in WRITABLE_EXISTING and not before.refused) or kept_current(before)
        assert upsert.status is None or upsert.is_new


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_no_operation_but_a_refusal_ever_reaches_an_address_mailchimp_holds(scenario: Scenario) -> None:
    held_hashes = {h for h, entry in scenario.ledger.items() if held(entry) and not kept_current(entry)}
    current_hashes = {h for h, entry in scenario.ledger.items() if kept_current(entry)}
    for operation in planned(scenario).operations:
        if not isinstance(operation, Refusal):
            assert not addresses_touched(operation) & held_hashes, operation
        if addresses_touched(operation) & current_hashes:
            assert isinstance(operation, Refusal | AddTag | RemoveTag) or (
                isinstance(operation, Upsert) and not operation.is_new and operation.status is None
            ), operation


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_no_plan_ever_sends_a_status_to_a_member_last_known_unsubscribed_cleaned_or_forgotten(
    scenario: Scenario,
) -> None:
    """Issue 12: `status` goes only with a member we archived ourselves and want back."""
    refused_statuses = {RemoteStatus.unsubscribed, RemoteStatus.cleaned, RemoteStatus.forgotten}
    for upsert in planned(scenario).of_type(Upsert):
        if upsert.status is None:
            continue
        before = scenario.ledger[upsert.member.subscriber_hash]
        assert before.status not in refused_statuses
        assert before.status is ARCHIVED and before.archived_by_us and not before.refused
        assert upsert.status == scenario.options.status_if_new


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_statuses_only_move_from_subscribed_to_archived_or_from_archived_by_us_back(
    scenario: Scenario,
) -> None:
    result = planned(scenario)
    after = apply_to_ledger(scenario.ledger, result)
    renamed = {op.old_hash for op in result.of_type(ChangeEmail)}
    for subscriber_hash, before in scenario.ledger.items():
        if subscriber_hash in renamed:
            assert before.status in {RemoteStatus.subscribed, RemoteStatus.pending} and not before.refused
            continue
        now = after[subscriber_hash]
        if now.status is not before.status:
            assert (before.status is SUBSCRIBED and now.status is ARCHIVED and now.archived_by_us) or (
                before.status is ARCHIVED and before.archived_by_us
            )


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_only_tags_we_wrote_and_no_longer_give_are_removed_and_never_those_left_on_members(
    scenario: Scenario,
) -> None:
    result = planned(scenario)
    sources = renamed_from(scenario, result)
    for removal in result.of_type(RemoveTag):
        source = scenario.ledger.get(removal.subscriber_hash) or sources[removal.subscriber_hash]
        assert removal.tag in source.tags
        assert removal.tag not in LEFT - OWNED


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_a_tag_we_wrote_under_a_name_no_search_gives_any_more_is_removed(scenario: Scenario) -> None:
    """Issue 14: ownership comes from what the ledger says we wrote, not from today's names."""
    result = planned(scenario)
    removed = {(op.subscriber_hash, op.tag) for op in result.of_type(RemoveTag)}
    for subscriber_hash, member in scenario.desired.items():
        entry = scenario.ledger.get(subscriber_hash)
        if entry is None or held(entry):
            continue
        for tag in entry.tags - member.tags - (LEFT - OWNED):
            assert (subscriber_hash, tag) in removed


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_only_subscribed_members_we_synced_and_no_longer_want_are_archived(scenario: Scenario) -> None:
    for archive in planned(scenario).of_type(Archive):
        before = scenario.ledger[archive.subscriber_hash]
        synced_by_us = before.contact_id is not None or before.last_contact_id is not None
        assert before.status is SUBSCRIBED and synced_by_us and not before.refused
        assert archive.subscriber_hash not in scenario.desired


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_the_removal_guards_count_is_the_number_of_archives_the_plan_lists(scenario: Scenario) -> None:
    """A run counts its archives before writing anything without planning the rest (``archive_count``):
    the guard must trip on exactly the archives the plan then makes, renames included."""
    counted = archive_count(scenario.desired, scenario.ledger, scenario.scope)
    assert counted == len(planned(scenario).of_type(Archive))


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_a_member_whose_contact_was_deleted_is_archived_when_the_run_looks_at_it(scenario: Scenario) -> None:
    """Issue 14: the ledger remembers whose member it was, so a deleted contact never stays subscribed."""
    archived = {archive.subscriber_hash for archive in planned(scenario).of_type(Archive)}
    for subscriber_hash, entry in scenario.ledger.items():
        deleted_owner = entry.contact_id is None and entry.last_contact_id is not None
        if (
            deleted_owner
            and entry.status is SUBSCRIBED
            and not entry.refused
            and scenario.in_scope(subscriber_hash)
        ):
            assert (subscriber_hash in archived) is (subscriber_hash not in scenario.desired)


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_an_email_change_renames_a_leaving_member_of_one_of_the_address_contacts(scenario: Scenario) -> None:
    result = planned(scenario)
    old_hashes = [op.old_hash for op in result.of_type(ChangeEmail)]
    assert len(old_hashes) == len(set(old_hashes))
    for change in result.of_type(ChangeEmail):
        old = scenario.ledger[change.old_hash]
        assert change.member.subscriber_hash not in scenario.ledger
        assert change.old_hash not in scenario.desired and scenario.in_scope(change.old_hash)
        assert old.contact_id in change.member.contact_ids


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_planning_again_after_applying_writes_nothing(scenario: Scenario) -> None:
    first = planned(scenario)
    again = replace(scenario, ledger=apply_to_ledger(scenario.ledger, first))

    second = planned(again)

    assert second.operations == tuple(first.of_type(Refusal))


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_ledger_entries_outside_an_incremental_scope_are_never_touched(scenario: Scenario) -> None:
    result = planned(scenario)
    after = apply_to_ledger(scenario.ledger, result)
    outside = {h for h in scenario.ledger if not scenario.in_scope(h)}
    for operation in result.operations:
        assert not addresses_touched(operation) & outside
    assert all(after[h] == scenario.ledger[h] for h in outside)


@CHECKED
@given(
    archives=st.integers(min_value=0, max_value=10_000),
    audience=st.integers(min_value=0, max_value=10_000),
    percent=st.integers(min_value=0, max_value=100),
)
def test_the_guard_trips_exactly_when_archives_exceed_its_share_of_the_audience(
    archives: int, audience: int, percent: int
) -> None:
    over_share = audience > 0 and Fraction(archives, audience) > Fraction(percent, 100)
    assert guard_trips(archives, audience, percent) is over_share


@pytest.mark.slow
@CHECKED
@given(scenarios())
def test_the_plan_is_the_same_whatever_order_the_inputs_come_in(scenario: Scenario) -> None:
    reordered = replace(
        scenario,
        desired=dict(reversed(scenario.desired.items())),
        ledger=dict(reversed(scenario.ledger.items())),
    )
    result = planned(scenario)

    assert planned(reordered) == result
    kinds = [ChangeEmail, Upsert, AddTag, RemoveTag, Archive, Refusal]
    keys = [(operation_hash(op), kinds.index(type(op))) for op in result.operations]
    assert keys == sorted(keys)


@CHECKED
@given(scenarios())
def test_a_plan_applied_at_once_leaves_the_ledger_it_leaves_applied_one_operation_at_a_time(
    scenario: Scenario,
) -> None:
    # apply_to_ledger folds a member's run of tag changes into one new entry: that must not show.
    result = planned(scenario)
    one_by_one = dict(scenario.ledger)
    for operation in result.operations:
        one_by_one = apply_to_ledger(one_by_one, [operation])
    assert apply_to_ledger(scenario.ledger, result) == one_by_one


@CHECKED
@given(scenarios())
def test_a_batch_entry_read_back_in_one_step_leaves_the_entry_its_operations_leave(
    scenario: Scenario,
) -> None:
    # The applier reads every written member back with after_write, not the general apply_to_ledger.
    result = planned(scenario)
    state = apply_to_ledger(scenario.ledger, result.of_type(ChangeEmail))  # renames go first
    for write in member_writes([*result.of_type(Upsert), *result.of_type(AddTag)]):
        base = state.get(write.subscriber_hash)
        added = [AddTag(write.subscriber_hash, write.email, tag) for tag in write.tags]
        operations = [write.upsert, *added] if write.upsert else added
        expected = apply_to_ledger({base.subscriber_hash: base} if base else {}, operations)
        assert after_write(base, write.upsert, write.tags) == expected[write.subscriber_hash]
        # Mailchimp's answer goes in the same copy: its status, its person id (none given: the one held).
        for answer in [
            MemberAnswer(RemoteStatus.unsubscribed, "person-9"),
            MemberAnswer(RemoteStatus.subscribed, ""),
        ]:
            person = answer.person_id or expected[write.subscriber_hash].mc_contact_id
            answered = replace(expected[write.subscriber_hash], status=answer.status, mc_contact_id=person)
            assert after_write(base, write.upsert, write.tags, answer) == answered
