"""Issue 15: two contacts become one; everything of the merged one moves to the survivor."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from constituent.crm.activities.changelog import changes_for_contact
from constituent.crm.activities.models import Activity
from constituent.crm.activities.service import record_activity
from constituent.crm.contacts import service as contacts
from constituent.crm.contacts.models import Contact
from constituent.crm.contacts.schemas import ContactCreate, ContactUpdate, EmailIn
from constituent.crm.contributions.models import Contribution
from constituent.crm.contributions.schemas import ContributionCreate
from constituent.crm.contributions.service import create_contribution
from constituent.crm.errors import InvalidInput, NotFound
from constituent.crm.groups.service import add_to_group, contact_groups, create_group, remove_from_group
from constituent.crm.merges.schemas import MergeRequest, Reason
from constituent.crm.merges.service import merge_contacts, possible_duplicates

ACTOR = "user:test@example.org"


def _person(session: Session, first: str, last: str, *emails: str, **fields: object) -> int:
    data = ContactCreate(
        first_name=first,
        last_name=last,
        emails=[EmailIn(address=a) for a in emails],
        **fields,  # type: ignore[arg-type]
    )
    return contacts.create_contact(session, data, ACTOR).id


def test_everything_of_the_merged_contact_moves_to_the_survivor(session: Session) -> None:
    kyle = _person(session, "Kyle", "Silva", "kyle@example.org", city="Springfield")
    dup = _person(session, "K", "", "k.silva@work.example", "KYLE@example.org", phone="555-0101")
    donors, volunteers = (create_group(session, n, actor=ACTOR).id for n in ("Donors", "Volunteers"))
    add_to_group(session, donors, [kyle, dup], method="user", actor=ACTOR)
    add_to_group(session, volunteers, [dup], method="user", actor=ACTOR)
    remove_from_group(session, volunteers, [dup], method="user", actor=ACTOR)
    add_to_group(session, volunteers, [dup], method="user", actor=ACTOR)
    create_contribution(
        session, ContributionCreate(contact_id=dup, amount=Decimal("50"), received_on=date(2026, 1, 2)), ACTOR
    )
    record_activity(session, dup, "note", "Called about the gala", datetime(2026, 1, 3, tzinfo=UTC))
    contacts.update_contact(session, dup, ContactUpdate(state="IL"), ACTOR)

    outcome = merge_contacts(session, kyle, MergeRequest(other_id=dup), ACTOR)

    survivor = outcome.contact
    assert (survivor.first_name, survivor.city, survivor.phone, survivor.state) == (
        "Kyle",
        "Springfield",
        "555-0101",
        "IL",
    )
    assert [(e.address, e.is_primary) for e in survivor.emails] == [
        ("kyle@example.org", True),
        ("k.silva@work.example", False),
    ]
    assert session.get(Contact, dup) is None
    assert session.scalars(select(Contribution.contact_id)).all() == [kyle]
    assert session.scalars(select(Activity.contact_id)).all() == [kyle]
    groups = contact_groups(session, kyle)
    assert sorted(v.group_name for v in groups.current) == ["Donors", "Volunteers"]
    assert sorted(v.group_name for v in groups.past) == ["Donors", "Volunteers"]  # history kept
    log = changes_for_contact(session, kyle)
    assert ("merged", f"K (contact {dup})") in [(e.field, e.old_value) for e in log]
    assert any(e.field == "state" and e.new_value == "IL" for e in log)  # the merged one's log moved


def test_the_staffer_picks_the_surviving_value_field_by_field(session: Session) -> None:
    kyle = _person(session, "Kyle", "Silva", city="Springfield", external_id="A-1")
    dup = _person(session, "Kyle", "Silva", city="Shelbyville", external_id="B-2", do_not_email=True)

    merged = merge_contacts(
        session, kyle, MergeRequest(other_id=dup, take_from_other=["city", "external_id"]), ACTOR
    ).contact

    assert (merged.city, merged.external_id, merged.do_not_email) == ("Shelbyville", "B-2", True)


@pytest.mark.parametrize(
    ("request_", "error"),
    [
        (lambda kyle, dup: MergeRequest(other_id=kyle), InvalidInput),
        (lambda kyle, dup: MergeRequest(other_id=404), NotFound),
        (lambda kyle, dup: MergeRequest(other_id=dup, take_from_other=["shoe_size"]), InvalidInput),
    ],
)
def test_a_wrong_merge_names_what_is_wrong_and_changes_nothing(
    session: Session, request_: object, error: type[Exception]
) -> None:
    kyle = _person(session, "Kyle", "Silva")
    dup = _person(session, "K", "")

    with pytest.raises(error):
        merge_contacts(session, kyle, request_(kyle, dup), ACTOR)  # type: ignore[operator]
    assert session.get(Contact, dup) is not None


def test_possible_duplicates_are_ranked_by_how_sure_the_match_is(session: Session) -> None:
    a = _person(session, "Kyle", "Silva", "kyle@example.org", postal_code="02139", phone="555 0101 99")
    b = _person(session, "Kyle", "Silva", "KYLE@example.org", postal_code="02139")
    c = _person(session, "Ana", "Lee", postal_code="90210", phone="(555) 0101-99")
    _person(session, "Bo", "Diaz", "bo@example.org", postal_code="02139")

    pairs = possible_duplicates(session)

    assert [(p.first_id, p.second_id, p.reasons) for p in pairs] == [
        (a, b, (Reason.email, Reason.name_and_postal_code)),
        (a, c, (Reason.phone,)),
    ]
