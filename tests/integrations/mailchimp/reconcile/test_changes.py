"""What a member read back means, compared with the ledger (pure rules, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from constituent.integrations.mailchimp.inbound.events import EventType
from constituent.integrations.mailchimp.reconcile.changes import ChangedMember, classify
from constituent.integrations.mailchimp.sync.types import LedgerEntry, RemoteStatus

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
LATER = (SINCE + timedelta(hours=1)).isoformat()
EARLIER = (SINCE - timedelta(days=300)).isoformat()


def _member(status: str, **values: str) -> ChangedMember:
    fields = {"last_changed": LATER, "timestamp_opt": EARLIER, "source": "API - Generic", **values}
    return ChangedMember(id="h1", email_address="ann@mailbox.org", status=status, **fields)


def _known(status: RemoteStatus, **values: object) -> LedgerEntry:
    return LedgerEntry("h1", "ann@mailbox.org", status, 7, "fp", frozenset({"Donors"}), **values)


def test_a_known_member_who_unsubscribed_is_an_unsubscribe_with_the_reason_mailchimp_gave() -> None:
    change = classify(
        _member("unsubscribed", unsubscribe_reason="Marked as spam"),
        _known(RemoteStatus.subscribed),
        "L1",
        SINCE,
    )

    assert change is not None and change.event is not None
    assert (change.event.type, change.event.reason, change.event.source) == (
        EventType.unsubscribe,
        "abuse",
        "reconciliation",
    )
    assert change.event.fired_at == datetime.fromisoformat(LATER)
    assert change.ledger is not None and change.ledger.entry.status is RemoteStatus.unsubscribed
    assert change.ledger.entry.tags == frozenset({"Donors"})  # the rest of the ledger row is kept


def test_a_known_member_cleaned_is_a_hard_bounce() -> None:
    change = classify(_member("cleaned"), _known(RemoteStatus.subscribed), "L1", SINCE)

    assert change is not None and change.event is not None
    assert (change.event.type, change.event.reason) == (EventType.cleaned, "hard")


def test_archived_pending_and_transactional_only_move_the_ledger() -> None:
    for status in ("archived", "pending", "transactional"):
        change = classify(_member(status), _known(RemoteStatus.subscribed, archived_by_us=True), "L1", SINCE)

        assert change is not None and change.event is None
        assert change.ledger is not None and change.ledger.entry.status is RemoteStatus(status)
        # Archived by someone in Mailchimp: not ours, so the planner leaves it archived.
        assert change.ledger.entry.archived_by_us is False


def test_nothing_changes_when_the_ledger_already_agrees() -> None:
    assert classify(_member("unsubscribed"), _known(RemoteStatus.unsubscribed), "L1", SINCE) is None


def test_an_unknown_member_is_a_signup_only_when_they_opted_in_inside_the_window_and_not_by_api() -> None:
    form = _member(
        "subscribed", timestamp_opt=LATER, source="Hosted Signup Form", merge_fields={"FNAME": "Ann"}
    )
    api = _member("subscribed", timestamp_opt=LATER)
    long_ago = _member("subscribed", source="Hosted Signup Form")

    change = classify(form, None, "L1", SINCE)

    assert change is not None and change.event is not None
    assert (change.event.type, dict(change.event.merges)) == (EventType.subscribe, {"FNAME": "Ann"})
    assert classify(api, None, "L1", SINCE) is None
    assert classify(long_ago, None, "L1", SINCE) is None  # e.g. an address changed in Mailchimp
    assert classify(_member("unsubscribed"), None, "L1", SINCE) is None
