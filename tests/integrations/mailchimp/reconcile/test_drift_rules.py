"""The drift rules alone (reconcile/drift.py, pure), as properties: what we wrote read back is no drift;
a changed field or a removed tag of ours is; tags made in Mailchimp, members we do not own, other
statuses and members already waiting to be written never are."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from constituent.integrations.mailchimp.reconcile.drift import Ours, drift_of
from constituent.integrations.mailchimp.responses import Member, MemberTag
from constituent.integrations.mailchimp.sync.refresh import entry_from_member
from constituent.integrations.mailchimp.sync.types import Intent, LedgerEntry, RemoteStatus

OURS = Ours(frozenset({"Volunteers", "Donors"}), ("int1",), {})
names = st.text(alphabet="abcdefghij ", min_size=1, max_size=8)
our_tags = st.sets(st.sampled_from(sorted(OURS.owned_tags)))
their_tags = st.sets(st.sampled_from(["Met at the fair", "VIP"]))


def member(fname: str, tags: set[str], ticked: bool = True, status: str = "subscribed") -> Member:
    return Member.model_validate(
        {
            "id": "h1",
            "email_address": "ann@mailbox.org",
            "status": status,
            "merge_fields": {"FNAME": fname, "LNAME": "Tester"},
            "interests": {"int1": ticked},
            "tags": [MemberTag(id=i, name=t).model_dump() for i, t in enumerate(sorted(tags))],
            "last_changed": "2026-12-05T08:00:00+00:00",
        }
    )


def written(fname: str, tags: set[str]) -> LedgerEntry:
    """The ledger entry of a member exactly as we last wrote it."""
    base = LedgerEntry("h1", "ann@mailbox.org", RemoteStatus.subscribed, contact_id=7, tags=frozenset(tags))
    entry = entry_from_member(member(fname, tags), base, OURS.owned_tags, OURS.managed_interests).entry
    return replace(entry, contact_id=7, tags=frozenset(tags))


@given(names, our_tags, their_tags)
def test_what_we_wrote_read_back_with_tags_made_in_mailchimp_is_no_drift(
    fname: str, ours: set[str], theirs: set[str]
) -> None:
    assert drift_of(member(fname, ours | theirs), written(fname, ours), OURS) is None


@given(names, names, our_tags)
def test_a_field_typed_in_mailchimp_is_drift_and_the_ledger_learns_what_mailchimp_holds(
    fname: str, typed: str, ours: set[str]
) -> None:
    seen = member(typed, ours)
    drift = drift_of(seen, written(fname, ours), OURS)
    if fname.strip() == typed.strip():
        return
    assert drift is not None and drift.fields_changed and not drift.tags_removed
    assert drift.ledger.entry.fingerprint == written(typed, ours).fingerprint


@given(names, st.sets(st.sampled_from(sorted(OURS.owned_tags)), min_size=1), st.data())
def test_a_tag_of_ours_removed_there_is_drift_and_only_that_tag_leaves_the_ledger(
    fname: str, ours: set[str], data: st.DataObject
) -> None:
    gone = data.draw(st.sampled_from(sorted(ours)))
    drift = drift_of(member(fname, ours - {gone}), written(fname, ours), OURS)
    assert drift is not None and drift.tags_removed == {gone}
    assert drift.ledger.entry.tags == frozenset(ours - {gone})


@given(names)
def test_an_unticked_interest_is_a_field_change_left_to_the_two_way_rule(fname: str) -> None:
    drift = drift_of(member(fname, set(), ticked=False), written(fname, set()), OURS)
    assert drift is not None and drift.fields_changed


def test_members_not_ours_other_statuses_and_members_waiting_for_a_write_are_never_drift() -> None:
    ours = written("Ann", {"Volunteers"})
    typed = member("Typed", set())
    assert drift_of(typed, replace(ours, contact_id=None), OURS) is None
    assert drift_of(typed, None, OURS) is None
    assert drift_of(member("Typed", set(), status="unsubscribed"), ours, OURS) is None
    assert drift_of(typed, replace(ours, fingerprint=""), OURS) is None
    assert drift_of(typed, replace(ours, intent=Intent.create), OURS) is None
