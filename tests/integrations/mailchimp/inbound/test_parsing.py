"""Mailchimp's form-encoded payloads become typed events; anything else is a ParseError naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constituent.integrations.mailchimp.inbound.events import EventType
from constituent.integrations.mailchimp.inbound.parsing import ParseError, parse_event

# The sample Mailchimp documents (fired_at in its own format, nested merges).
SAMPLE = (
    b"type=subscribe&fired_at=2009-03-26+21:35:57&data[id]=8a25ff1d98&data[list_id]=a6b5da1054"
    b"&data[email]=api@mailchimp.com&data[email_type]=html&data[merges][EMAIL]=api@mailchimp.com"
    b"&data[merges][FNAME]=MailChimp&data[merges][LNAME]=API&data[merges][INTERESTS]=Group1,Group2"
    b"&data[merges][ADDRESS][city]=Atlanta&data[ip_opt]=10.20.10.30&data[ip_signup]=10.20.10.30"
)


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


def test_the_documented_subscribe_sample_becomes_a_subscribe_event() -> None:
    event = parse_event(SAMPLE)
    assert event.type is EventType.subscribe
    assert event.fired_at == datetime(2009, 3, 26, 21, 35, 57, tzinfo=UTC)
    assert (event.list_id, event.email) == ("a6b5da1054", "api@mailchimp.com")
    assert event.merges["FNAME"] == "MailChimp" and event.merges["LNAME"] == "API"
    assert "ADDRESS" not in event.merges, "nested parts are not names"
    assert event.source == "webhook"


def test_an_unsubscribe_carries_its_reason_and_campaign() -> None:
    body = form(
        type="unsubscribe",
        fired_at="2026-11-22 10:00:00",
        **{"data[list_id]": "L1", "data[email]": "a@mailbox.org", "data[reason]": "abuse"},
        **{"data[campaign_id]": "c1", "data[action]": "unsub"},
    )
    event = parse_event(body)
    assert (event.type, event.reason, event.campaign_id) == (EventType.unsubscribe, "abuse", "c1")


def test_an_upemail_keeps_the_old_address_as_email_and_the_new_one_apart() -> None:
    body = form(
        type="upemail",
        fired_at="2026-11-22 10:00:00",
        **{"data[list_id]": "L1", "data[old_email]": "old@mailbox.org", "data[new_email]": "new@mailbox.org"},
    )
    event = parse_event(body)
    assert (event.email, event.new_email) == ("old@mailbox.org", "new@mailbox.org")


def test_a_campaign_event_names_the_campaign_subject_and_status() -> None:
    body = form(
        type="campaign",
        fired_at="2026-11-22 10:00:00",
        **{"data[list_id]": "L1", "data[id]": "camp1", "data[subject]": "News", "data[status]": "sent"},
    )
    event = parse_event(body)
    assert (event.campaign_id, event.subject, event.campaign_status) == ("camp1", "News", "sent")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"", "type"),
        (form(type="nonsense"), "type"),
        (form(type="subscribe"), "fired_at"),
        (form(type="subscribe", fired_at="yesterday"), "fired_at"),
        (form(type="subscribe", fired_at="2026-11-22 10:00:00"), "data[list_id]"),
        (form(type="subscribe", fired_at="2026-11-22 10:00:00", **{"data[list_id]": "L"}), "data[email]"),
        (
            form(
                type="cleaned", fired_at="2026-11-22 10:00:00", **{"data[list_id]": "L", "data[email]": "x"}
            ),
            "data[email]",
        ),
        (form(type="upemail", fired_at="2026-11-22 10:00:00", **{"data[list_id]": "L"}), "data[old_email]"),
        (form(type="campaign", fired_at="2026-11-22 10:00:00", **{"data[list_id]": "L"}), "data[id]"),
        (b"type=subscribe&fired_at=%ff%fe", "body"),
    ],
)
def test_a_malformed_body_is_refused_naming_the_field(body: bytes, field: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_event(body)
    assert str(caught.value).startswith(f"{field}:")


def test_the_error_never_repeats_an_address() -> None:
    body = form(
        type="cleaned", fired_at="2026-11-22 10:00:00", **{"data[list_id]": "L", "data[email]": "no at"}
    )
    with pytest.raises(ParseError) as caught:
        parse_event(body)
    assert "no at" not in str(caught.value)


def outcome(body: bytes) -> str:
    """ "parsed" or "refused"; any other exception escapes and fails the test."""
    try:
        event = parse_event(body)
    except ParseError as exc:
        assert ":" in str(exc), "the message names a field"
        return "refused"
    assert event.fired_at.tzinfo is not None and event.list_id
    return "parsed"


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_either_parse_or_raise_a_parse_error(body: bytes) -> None:
    assert outcome(body) in ("parsed", "refused")


KEYS = st.sampled_from(
    [
        "type",
        "fired_at",
        "data[list_id]",
        "data[email]",
        "data[old_email]",
        "data[new_email]",
        "data[id]",
        "data[merges][FNAME]",
        "data[merges][",
        "data[reason]",
        "data[status]",
        "data[subject]",
    ]
)
VALUES = st.one_of(
    st.sampled_from([t.value for t in EventType] + ["2026-11-22 10:00:00", "0001-01-01T00:00:00+01:00"]),
    st.text(max_size=40),
    st.emails(),
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.one_of(KEYS, st.text(max_size=20)), VALUES), max_size=12))
def test_any_form_either_parses_or_raises_a_parse_error(pairs: list[tuple[str, str]]) -> None:
    assert outcome(urlencode(pairs).encode("utf-8", "surrogatepass")) in ("parsed", "refused")


def test_the_fuzzed_forms_can_parse_at_all() -> None:
    body = form(
        type="profile", fired_at="2026-11-22 10:00:00", **{"data[list_id]": "L", "data[email]": "a@b.c"}
    )
    assert outcome(body) == "parsed"
