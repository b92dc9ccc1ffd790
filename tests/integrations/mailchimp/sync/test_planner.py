"""The planner's rules, one readable example each (the properties in test_planner_properties.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from constituent.integrations.mailchimp.sync.planner import PlanOptions, apply_to_ledger, guard_trips, plan
from constituent.integrations.mailchimp.sync.types import (
    AddTag,
    Archive,
    ChangeEmail,
    LedgerEntry,
    Refusal,
    RemoteStatus,
    RemoveTag,
    Upsert,
    remote_status,
)
from tests.integrations.mailchimp.sync.planner_examples import (
    FOREIGN,
    OPTIONS,
    OWNED,
    by_hash,
    entry_for,
    member,
)


def test_a_new_address_is_created_with_status_if_new_and_its_tags() -> None:
    ann = member("ann", tags=frozenset({"Donors"}))

    result = plan(by_hash(ann), {}, OPTIONS)

    assert result.operations == (
        Upsert(member=ann, is_new=True, status_if_new="subscribed"),
        AddTag(subscriber_hash="ann", email="ann@mailbox.org", tag="Donors"),
    )


def test_double_opt_in_creates_new_members_as_pending() -> None:
    result = plan(by_hash(member("ann")), {}, replace(OPTIONS, status_if_new="pending"))

    assert result.of_type(Upsert) == [Upsert(member=member("ann"), is_new=True, status_if_new="pending")]


def test_a_member_mailchimp_already_holds_as_desired_needs_no_operation() -> None:
    ann = member("ann", tags=frozenset({"Donors"}))

    assert plan(by_hash(ann), by_hash(entry_for(ann)), OPTIONS).operations == ()


@pytest.mark.parametrize(
    "status", [RemoteStatus.subscribed, RemoteStatus.pending, RemoteStatus.transactional]
)
def test_a_changed_member_is_updated_as_existing_so_its_status_is_never_sent(status: RemoteStatus) -> None:
    ann = member("ann", first_name="Anne")
    stale = entry_for(member("ann", first_name="Ann"), status)

    result = plan(by_hash(ann), by_hash(stale), OPTIONS)

    assert result.operations == (Upsert(member=ann, is_new=False, status_if_new="subscribed"),)
    assert apply_to_ledger(by_hash(stale), result)["ann"].status is status


def test_a_forgotten_member_is_refused_without_any_write() -> None:
    ann = member("ann", first_name="Anne", tags=frozenset({"Donors"}))
    held = entry_for(member("ann"), RemoteStatus.forgotten, tags=frozenset())

    result = plan(by_hash(ann), by_hash(held), OPTIONS)

    message = "Permanently deleted in Mailchimp; Mailchimp will not let us re-add this address"
    assert result.operations == (
        Refusal(
            subscriber_hash="ann",
            email="ann@mailbox.org",
            contact_ids=(1,),
            status=RemoteStatus.forgotten,
            message=message,
        ),
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            RemoteStatus.unsubscribed,
            "Unsubscribed in Mailchimp; Mailchimp will not let us re-add this address",
        ),
        (
            RemoteStatus.cleaned,
            "Cleaned in Mailchimp (the address bounced); Mailchimp will not let us re-add this address",
        ),
    ],
)
def test_an_unsubscribed_or_cleaned_member_of_ours_keeps_its_fields_and_tags_current_but_never_its_status(
    status: RemoteStatus, message: str
) -> None:
    """The recorded PUT-without-status keeps the status and updates merge fields, so Mailchimp's copy of
    an unsubscribed member stays true (no tag for a search she left). Issue 12."""
    ann = member("ann", first_name="Anne", tags=frozenset({"Donors"}))
    held = entry_for(member("ann"), status, tags=frozenset({"Lapsed"}))

    result = plan(by_hash(ann), by_hash(held), OPTIONS)

    assert result.operations == (
        Upsert(member=ann, is_new=False, status_if_new="subscribed"),
        AddTag(subscriber_hash="ann", email="ann@mailbox.org", tag="Donors"),
        RemoveTag(subscriber_hash="ann", email="ann@mailbox.org", tag="Lapsed"),
        Refusal(
            subscriber_hash="ann", email="ann@mailbox.org", contact_ids=(1,), status=status, message=message
        ),
    )
    assert apply_to_ledger(by_hash(held), result)["ann"].status is status


def test_an_unsubscribed_member_that_is_not_ours_gets_no_write() -> None:
    ann = member("ann", first_name="Anne", tags=frozenset({"Donors"}))
    theirs = replace(entry_for(member("ann"), RemoteStatus.unsubscribed), contact_id=None)

    result = plan(by_hash(ann), by_hash(theirs), OPTIONS)

    assert [type(op) for op in result.operations] == [Refusal]


def test_a_refusal_mailchimp_gave_before_is_not_retried_and_keeps_its_words() -> None:
    ann = member("ann", first_name="Anne")
    words = "Unsubscribed in Mailchimp on 2024-03-01; Mailchimp will not let us re-add this address"
    refused = entry_for(member("ann"), RemoteStatus.subscribed, refused=words)

    result = plan(by_hash(ann), by_hash(refused), OPTIONS)

    assert [(type(op), op.message) for op in result.of_type(Refusal)] == [(Refusal, words)]
    assert len(result.operations) == 1


def test_a_member_we_archived_comes_back_as_new_when_the_contact_qualifies_again() -> None:
    ann = member("ann", tags=frozenset({"Donors", "Volunteers"}))
    archived = entry_for(ann, RemoteStatus.archived, tags=frozenset({"Donors"}), archived_by_us=True)

    result = plan(by_hash(ann), by_hash(archived), OPTIONS)

    # `status`, not status_if_new alone: Mailchimp holds an archived member (jethro-pmm issue #708).
    assert result.operations == (
        Upsert(member=ann, is_new=True, status_if_new="subscribed", status="subscribed"),
        AddTag(subscriber_hash="ann", email="ann@mailbox.org", tag="Volunteers"),
    )
    back = apply_to_ledger(by_hash(archived), result)["ann"]
    assert (back.status, back.archived_by_us) == (RemoteStatus.subscribed, False)


def test_a_member_we_archived_comes_back_pending_under_double_opt_in() -> None:
    ann = member("ann")
    archived = entry_for(ann, RemoteStatus.archived, archived_by_us=True)

    result = plan(by_hash(ann), by_hash(archived), replace(OPTIONS, status_if_new="pending"))

    assert result.operations == (Upsert(member=ann, is_new=True, status_if_new="pending", status="pending"),)


def test_a_member_archived_in_mailchimp_stays_archived() -> None:
    ann = member("ann")
    archived_there = entry_for(ann, RemoteStatus.archived, fingerprint="older", archived_by_us=False)

    result = plan(by_hash(ann), by_hash(archived_there), OPTIONS)

    assert [op.status for op in result.of_type(Refusal)] == [RemoteStatus.archived]
    assert len(result.operations) == 1


def test_tags_we_wrote_are_removed_when_no_longer_given_even_under_an_old_name() -> None:
    """Mailchimp-made tags (FOREIGN) never enter the ledger, which lists only what we wrote."""
    ann = member("ann", tags=frozenset({"Donors"}))
    tagged = entry_for(ann, tags=frozenset({"Donors", "Lapsed", "Donors (old name)"}))

    result = plan(by_hash(ann), by_hash(tagged), OPTIONS)

    assert [op.tag for op in result.of_type(RemoveTag)] == ["Donors (old name)", "Lapsed"]
    assert FOREIGN not in {op.tag for op in result.operations if isinstance(op, RemoveTag)}


def test_a_tag_the_user_chose_to_leave_on_members_is_not_removed_until_a_search_gives_it_again() -> None:
    ann = member("ann", tags=frozenset({"Donors"}))
    tagged = entry_for(ann, tags=frozenset({"Donors", "Gala"}))
    left = replace(OPTIONS, left_tags=frozenset({"Gala"}))

    assert plan(by_hash(ann), by_hash(tagged), left).operations == ()
    given_again = replace(left, owned_tags=OPTIONS.owned_tags | {"Gala"})
    assert [op.tag for op in plan(by_hash(ann), by_hash(tagged), given_again).of_type(RemoveTag)] == ["Gala"]


def test_a_subscribed_member_that_stops_qualifying_is_archived() -> None:
    left = entry_for(member("bob", 2))

    result = plan({}, by_hash(left), OPTIONS)

    assert result.operations == (
        Archive(
            subscriber_hash="bob",
            email="bob@mailbox.org",
            contact_id=2,
            reason="No longer qualifies for this audience",
        ),
    )
    assert apply_to_ledger(by_hash(left), result)["bob"] == replace(
        left, status=RemoteStatus.archived, archived_by_us=True
    )


@pytest.mark.parametrize(
    "status",
    [s for s in RemoteStatus if s is not RemoteStatus.subscribed],
)
def test_only_subscribed_members_are_archived(status: RemoteStatus) -> None:
    assert plan({}, by_hash(entry_for(member("bob", 2), status)), OPTIONS).operations == ()


def test_a_member_that_signed_up_in_mailchimp_without_a_contact_is_never_archived() -> None:
    signed_up = replace(entry_for(member("sue", 3)), contact_id=None)

    assert plan({}, by_hash(signed_up), OPTIONS).operations == ()


def test_a_primary_email_change_renames_the_member_in_place_keeping_its_tags() -> None:
    old = entry_for(member("old", 7, tags=frozenset({"Donors", "Lapsed"})))
    new = member("new", 7, tags=frozenset({"Donors"}))

    result = plan(by_hash(new), by_hash(old), OPTIONS)

    assert result.operations == (
        ChangeEmail(old_hash="old", member=new),
        RemoveTag(subscriber_hash="new", email="new@mailbox.org", tag="Lapsed"),
    )
    after = apply_to_ledger(by_hash(old), result)
    assert list(after) == ["new"]
    assert (after["new"].email, after["new"].fingerprint, after["new"].tags) == (
        "new@mailbox.org",
        new.fingerprint,
        frozenset({"Donors"}),
    )


def test_a_pending_member_whose_contact_changes_address_is_added_anew_not_renamed() -> None:
    """Mailchimp renames only subscribed members ("You can only update email addresses for members with a
    status of "subscribed."", wepublish's recording) and will not archive a pending one (405): the new
    address is added as pending, the old pending member is left as it is (it never opted in)."""
    old = entry_for(member("old", 7), RemoteStatus.pending)
    new = member("new", 7)

    result = plan(by_hash(new), by_hash(old), replace(OPTIONS, status_if_new="pending"))

    assert result.operations == (Upsert(member=new, is_new=True, status_if_new="pending"),)


def test_an_email_change_to_an_address_already_in_the_audience_archives_the_old_member() -> None:
    old = entry_for(member("old", 7))
    existing = entry_for(member("new", 9), fingerprint="someone typed into Mailchimp")
    new = member("new", 7)

    result = plan(by_hash(new), by_hash(old, existing), OPTIONS)

    assert [type(op) for op in result.operations] == [Upsert, Archive]
    assert result.of_type(Archive)[0].subscriber_hash == "old"
    assert result.of_type(Upsert)[0].is_new is False


def test_an_email_change_of_an_unsubscribed_member_does_not_carry_the_unsubscribe_over() -> None:
    old = entry_for(member("old", 7), RemoteStatus.unsubscribed)
    new = member("new", 7)

    result = plan(by_hash(new), by_hash(old), OPTIONS)

    assert result.operations == (Upsert(member=new, is_new=True, status_if_new="subscribed"),)


def test_a_member_mailchimp_holds_right_is_written_once_so_the_ledger_learns_its_new_owner() -> None:
    signed_up_in_mailchimp = replace(entry_for(member("sue", 3)), contact_id=None)

    result = plan(by_hash(member("sue", 3)), by_hash(signed_up_in_mailchimp), OPTIONS)

    assert result.operations == (
        Upsert(
            member=member("sue", 3),
            is_new=False,
            status_if_new="subscribed",
            changed_fields=("owning contact",),
        ),
    )
    assert apply_to_ledger(by_hash(signed_up_in_mailchimp), result)["sue"].contact_id == 3


def test_a_shared_address_is_one_member() -> None:
    shared = member("fam", 4, sharers=(9, 12))

    result = plan(by_hash(shared), {}, OPTIONS)

    # The notice that several contacts share it is desired.py's (one owner: test_desired covers it).
    assert [op.member.contact_ids for op in result.of_type(Upsert)] == [(4, 9, 12)]


def test_an_incremental_run_leaves_ledger_entries_outside_its_scope_alone() -> None:
    ann, bob = entry_for(member("ann", 1)), entry_for(member("bob", 2))

    result = plan({}, by_hash(ann, bob), OPTIONS, scope=frozenset({"bob"}))

    assert [op.subscriber_hash for op in result.of_type(Archive)] == ["bob"]


def test_a_plan_lists_every_archive_however_many_the_guard_would_stop() -> None:
    staying = [entry_for(member(f"s{i}", 10 + i)) for i in range(8)]
    leaving = [entry_for(member(f"x{i}", 30 + i)) for i in range(2)]
    desired = by_hash(*(member(e.subscriber_hash, e.contact_id or 0) for e in staying))

    result = plan(desired, by_hash(*staying, *leaving), OPTIONS)

    assert sorted(op.subscriber_hash for op in result.of_type(Archive)) == ["x0", "x1"]


@pytest.mark.parametrize(
    ("archives", "audience", "percent", "trips"),
    [
        (2, 10, 10, True),  # 20% of the audience, over a 10% guard
        (1, 10, 10, False),  # exactly the guard's share goes ahead
        (1, 1000, 10, False),  # an incremental run is measured against the whole audience
        (5, 0, 10, False),  # nobody subscribed: nothing to protect
        (1, 100, 0, True),  # a guard of 0% stops any archive
    ],
)
def test_the_guard_trips_only_when_archives_exceed_its_share_of_the_subscribed_audience(
    archives: int, audience: int, percent: int, trips: bool
) -> None:
    assert guard_trips(archives, audience, percent) is trips


def test_operations_are_ordered_by_address_then_kind() -> None:
    desired = by_hash(member("b", 2, tags=OWNED), member("a", 1, tags=frozenset({"Lapsed"})))
    ledger = by_hash(entry_for(member("c", 3)))

    result = plan(desired, ledger, OPTIONS)

    assert [(type(op).__name__, getattr(op, "tag", "")) for op in result.operations] == [
        ("Upsert", ""),
        ("AddTag", "Lapsed"),
        ("Upsert", ""),
        ("AddTag", "Donors"),
        ("AddTag", "Lapsed"),
        ("AddTag", "Volunteers"),
        ("Archive", ""),
    ]


def test_applying_a_tag_to_an_address_the_ledger_does_not_hold_names_the_address() -> None:
    with pytest.raises(ValueError, match="AddTag for ghost: the ledger holds no member"):
        apply_to_ledger({}, [AddTag(subscriber_hash="ghost", email="ghost@mailbox.org", tag="Donors")])


def test_applying_leaves_the_given_ledger_unchanged() -> None:
    ledger: dict[str, LedgerEntry] = {}

    apply_to_ledger(ledger, plan(by_hash(member("ann")), ledger, OPTIONS))

    assert ledger == {}


@pytest.mark.parametrize(
    ("options", "wrong"),
    [
        ({"status_if_new": "unsubscribed"}, "status_if_new must be 'subscribed' or 'pending'"),
    ],
)
def test_options_out_of_range_are_refused_with_the_wrong_field_named(
    options: dict[str, object], wrong: str
) -> None:
    with pytest.raises(ValueError, match=wrong):
        PlanOptions(**options)  # type: ignore[arg-type]


def test_a_status_is_read_from_its_text_and_an_unknown_one_is_refused_by_name() -> None:
    assert [remote_status(s.value) for s in RemoteStatus] == list(RemoteStatus)
    with pytest.raises(ValueError, match="'deleted' is not a valid RemoteStatus"):
        remote_status("deleted")
