"""The dry-run report: counts for the summary and one readable row per address."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings

from constituent.integrations.mailchimp.sync.plan_report import (
    PlanCounts,
    ReportRow,
    count_operations,
    report_rows,
)
from constituent.integrations.mailchimp.sync.planner import operation_hash, plan
from constituent.integrations.mailchimp.sync.types import DesiredMember, LedgerEntry, RemoteStatus
from tests.integrations.mailchimp.sync.planner_examples import OPTIONS, by_hash, entry_for, member
from tests.integrations.mailchimp.sync.planner_strategies import Scenario, scenarios


def one_of_each() -> tuple[dict[str, DesiredMember], dict[str, LedgerEntry]]:
    """An audience where every kind of row appears once."""
    desired = by_hash(
        member("add", 1, tags=frozenset({"Donors"})),
        member("upd", 2, first_name="Anne"),
        member("tag", 3, tags=frozenset({"Volunteers"})),
        member("ren", 4, tags=frozenset({"Donors"})),
        member("uns", 5),
    )
    ledger = by_hash(
        entry_for(member("upd", 2)),
        entry_for(member("tag", 3), tags=frozenset({"Lapsed"})),
        entry_for(member("old", 4), tags=frozenset({"Donors"})),
        entry_for(member("uns", 5), RemoteStatus.unsubscribed),
        entry_for(member("gone", 6)),
    )
    return desired, ledger


def test_the_counts_say_how_many_of_each_change_the_plan_makes() -> None:
    desired, ledger = one_of_each()

    counts = count_operations(plan(desired, ledger, OPTIONS))

    assert counts == PlanCounts(
        created=1, updated=1, archived=1, tags_added=2, tags_removed=1, refused=1, email_changes=1
    )
    assert counts.as_dict()["email_changes"] == 1


def test_each_address_gets_one_row_with_its_contacts_action_and_changes() -> None:
    desired, ledger = one_of_each()

    rows = report_rows(plan(desired, ledger, OPTIONS), desired, ledger)

    unsubscribed = "Unsubscribed in Mailchimp; Mailchimp will not let us re-add this address"
    assert rows == [
        ReportRow((1,), "add@mailbox.org", "add", ("+Donors",)),
        ReportRow((6,), "gone@mailbox.org", "archive", message="No longer qualifies for this audience"),
        ReportRow((4,), "ren@mailbox.org", "change email", ("email: old@mailbox.org → ren@mailbox.org",)),
        ReportRow((3,), "tag@mailbox.org", "tags", ("+Volunteers", "-Lapsed")),
        ReportRow((5,), "uns@mailbox.org", "refuse", message=unsubscribed),
        ReportRow((2,), "upd@mailbox.org", "update", ("merge fields or interests",)),
    ]


def test_a_member_whose_owning_contact_changed_is_reported_as_such() -> None:
    shared = member("fam", 4, sharers=(9,))
    desired, ledger = by_hash(shared), by_hash(replace(entry_for(shared), contact_id=9))

    rows = report_rows(plan(desired, ledger, OPTIONS), desired, ledger)

    assert rows == [ReportRow((4, 9), "fam@mailbox.org", "update", ("owning contact",))]


@settings(max_examples=100)
@given(scenarios())
def test_every_operation_is_counted_once_and_every_address_has_one_row(scenario: Scenario) -> None:
    result = plan(scenario.desired, scenario.ledger, scenario.options, scenario.scope)

    counts = count_operations(result)
    rows = report_rows(result, scenario.desired, scenario.ledger)

    assert sum(counts.as_dict().values()) == len(result.operations)
    assert len(rows) == len({operation_hash(op) for op in result.operations})
