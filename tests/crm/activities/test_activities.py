"""Activities: recorded on a contact, idempotent with a dedupe key, listed newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from constituent.crm.activities.models import Activity
from constituent.crm.activities.service import list_activities, record_activity
from constituent.crm.contacts.models import Contact, ContactKind
from constituent.crm.errors import InvalidInput, NotFound

MORNING = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def _contact(session: Session) -> int:
    contact = Contact(kind=ContactKind.individual, first_name="Ada")
    session.add(contact)
    session.flush()
    return contact.id


def test_an_activity_is_recorded_with_its_details(session: Session) -> None:
    contact_id = _contact(session)
    activity = record_activity(
        session, contact_id, "email_sent", "Spring appeal", MORNING, "mailchimp", {"campaign": "c1"}
    )
    session.commit()
    assert activity.id is not None
    assert activity.details == {"campaign": "c1"}
    assert activity.occurred_at == MORNING


def test_recording_twice_with_the_same_dedupe_key_keeps_one_activity(session: Session) -> None:
    contact_id = _contact(session)
    first = record_activity(session, contact_id, "email_sent", "Spring appeal", MORNING, dedupe_key="c1:1")
    again = record_activity(session, contact_id, "email_sent", "Changed", MORNING, dedupe_key="c1:1")
    session.commit()
    assert again.id == first.id
    assert again.subject == "Spring appeal"
    assert session.scalar(select(func.count()).select_from(Activity)) == 1


def test_a_dedupe_key_from_an_earlier_transaction_is_still_honoured(session: Session) -> None:
    contact_id = _contact(session)
    first = record_activity(session, contact_id, "unsubscribe", "Left", MORNING, dedupe_key="wh:9")
    session.commit()
    session.expunge_all()
    again = record_activity(session, contact_id, "unsubscribe", "Left", MORNING, dedupe_key="wh:9")
    assert again.id == first.id


def test_activities_are_listed_newest_first_one_page_at_a_time(session: Session) -> None:
    contact_id = _contact(session)
    for hours in range(5):
        record_activity(session, contact_id, "note", f"note {hours}", MORNING + timedelta(hours=hours))
    page, total = list_activities(session, contact_id, limit=2, offset=1)
    assert total == 5
    assert [a.subject for a in page] == ["note 3", "note 2"]


def test_an_activity_for_an_unknown_contact_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        record_activity(session, 999, "note", "x", MORNING)
    with pytest.raises(NotFound):
        list_activities(session, 999)


def test_bad_activity_values_name_the_field(session: Session) -> None:
    contact_id = _contact(session)
    with pytest.raises(InvalidInput) as empty_type:
        record_activity(session, contact_id, "", "x", MORNING)
    with pytest.raises(InvalidInput) as naive_time:
        record_activity(session, contact_id, "note", "x", datetime(2024, 1, 1))
    with pytest.raises(InvalidInput) as long_subject:
        record_activity(session, contact_id, "note", "x" * 301, MORNING)
    assert (empty_type.value.field, naive_time.value.field, long_subject.value.field) == (
        "type",
        "occurred_at",
        "subject",
    )
