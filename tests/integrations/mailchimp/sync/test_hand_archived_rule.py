"""The rule that marks a member archived by hand in Mailchimp as restorable (sync/types.hand_archived), as a
property over every status, refusal and owner: only one present to us (subscribed or pending) with no
refusal on record, archived by someone else, ever is; and it stays so while it stays archived."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from constituent.integrations.mailchimp.sync.types import LedgerEntry, RemoteStatus, hand_archived

entries = st.builds(
    LedgerEntry,
    subscriber_hash=st.just("h1"),
    email=st.just("ann@mailbox.org"),
    status=st.sampled_from(list(RemoteStatus)),
    refused=st.sampled_from(["", "Unsubscribed from Supporters", "Member In Compliance State"]),
    archived_by_hand=st.booleans(),
)


@given(entries, st.sampled_from(list(RemoteStatus)), st.booleans())
def test_only_a_present_member_with_no_refusal_archived_by_someone_else_is_restorable(
    old: LedgerEntry, now: RemoteStatus, by_us: bool
) -> None:
    restorable = hand_archived(old, now, by_us=by_us)
    if restorable:
        assert now is RemoteStatus.archived and not by_us
        assert old.archived_by_hand or (
            old.status in (RemoteStatus.subscribed, RemoteStatus.pending) and not old.refused
        )
    fresh = replace(old, archived_by_hand=False)
    if (
        now is RemoteStatus.archived
        and not by_us
        and fresh.status is RemoteStatus.subscribed
        and not fresh.refused
    ):
        assert hand_archived(fresh, now)


@given(st.sampled_from([RemoteStatus.unsubscribed, RemoteStatus.cleaned, RemoteStatus.forgotten]))
def test_someone_who_left_before_being_archived_is_never_restorable(status: RemoteStatus) -> None:
    left = LedgerEntry("h1", "ann@mailbox.org", status, refused="Unsubscribed from Supporters")
    assert not hand_archived(left, RemoteStatus.archived)
    assert not hand_archived(None, RemoteStatus.archived)
