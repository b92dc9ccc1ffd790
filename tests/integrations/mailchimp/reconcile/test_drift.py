"""Hand edits in Mailchimp are put back by the next ordinary sync (issue 19), over real HTTP against the
emulator, on both databases. No webhook is registered here (nothing listens at the base URL), so only the
reconciliation that every run does can see the edits.

The ISP help page: "Any data added that way will be overwritten when data from ISP is synced." The
emulator moves a member's ``last_changed`` on every change, tags included; for the live service that is
assumed for tags (docs/MAILCHIMP-FIDELITY.md, "last_changed and tags").
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from constituent.crm.activities.service import list_activities
from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.groups import service as groups
from constituent.crm.groups.models import MembershipMethod
from constituent.integrations.mailchimp.models import MailchimpIntegration, SourceTarget
from constituent.integrations.mailchimp.reconcile.service import reconcile
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import (
    Audience,
    add_people,
    connect,
    contact,
    group_with,
    map_group_as,
)

ANN, BOB, CY = "ann@mailbox.org", "bob@mailbox.org", "cy@mailbox.org"
ADDRESS = {
    "addr1": "1 Elm St",
    "addr2": "",
    "city": "Springfield",
    "state": "IL",
    "zip": "62701",
    "country": "US",
}


def admin_edit(audience: Audience, method: str, email: str, suffix: str = "", **body: Any) -> None:
    """What someone does by hand in Mailchimp's audience screens, sent as the account's own API calls."""
    path = f"/lists/{audience.audience_id}/members/{subscriber_hash(email)}{suffix}"
    with audience.product.emulator.api_client(audience.api_key) as http:
        answer = http.request(method, path, json=body)
    assert answer.status_code < 300, answer.text


def set_integration(audience: Audience, **values: Any) -> None:
    with session_scope(audience.product.db.sessions) as session:
        table = MailchimpIntegration.__table__
        session.execute(update(table).where(table.c.id == audience.integration_id).values(**values))


def subjects(product: Product, contact_id: int) -> list[str]:
    with product.db.sessions() as session:
        rows, _total = list_activities(session, contact_id, limit=100)
        return [row.subject for row in rows]


def synced(audience: Audience) -> None:
    run = audience.sync()
    assert run.status is RunStatus.succeeded, run.message


def test_a_name_phone_and_address_typed_into_mailchimp_are_put_back_by_the_next_nightly_sync(
    product: Product,
) -> None:
    audience = connect(product)
    [ann, _bob] = add_people(product, ANN, BOB, phone="555-0100")
    synced(audience)
    admin_edit(audience, "PATCH", ANN, merge_fields={"FNAME": "Annie", "PHONE": "999", "ADDRESS": ADDRESS})

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    assert run.updated == 1  # Ann only: Bob was read back unchanged and costs nothing
    fields = audience.member(ANN)["merge_fields"]
    assert (fields["FNAME"], fields["PHONE"]) == ("Ann", "555-0100")
    assert fields["ADDRESS"] in ("", {}) or not any(fields["ADDRESS"].values())
    # The database stayed the source of truth, and the change is on her record in words.
    with product.db.sessions() as session:
        assert contact(session, ann).first_name == "Ann"
    assert any(
        "Changed their profile in Mailchimp" in s and "not applied" in s for s in subjects(product, ann)
    )
    assert audience.sync().requests_write == 0  # in step again


def test_a_tag_of_ours_removed_in_mailchimp_is_put_back_and_a_tag_made_there_is_left_alone(
    product: Product,
) -> None:
    audience = connect(product)
    [ann, bob] = add_people(product, ANN, BOB)
    group_id = group_with(product, "Volunteers", [ann, bob])
    map_group_as(audience, group_id, SourceTarget.tag)
    synced(audience)
    admin_edit(audience, "POST", ANN, "/tags", tags=[{"name": "Volunteers", "status": "inactive"}])
    admin_edit(audience, "POST", BOB, "/tags", tags=[{"name": "Met at the fair", "status": "active"}])

    synced(audience)

    assert "Volunteers" in audience.member(ANN)["tags"]
    assert {"Volunteers", "Met at the fair"} <= set(audience.member(BOB)["tags"])
    assert audience.sync().requests_write == 0


@pytest.mark.slow
def test_an_interest_she_unticked_while_the_webhook_was_lost_moves_her_out_of_the_group_and_stays_unticked(
    product: Product,
) -> None:
    audience = connect(product)
    [ann] = add_people(product, ANN)
    group_id = group_with(product, "Volunteers", [ann])
    interest_id = map_group_as(audience, group_id, SourceTarget.interest)
    assert interest_id is not None
    synced(audience)
    audience.person_action(ANN, "update-profile", interests={interest_id: False})

    synced(audience)
    audience.full()

    assert audience.member(ANN)["interests"][interest_id] is False
    with product.db.sessions() as session:
        stints = groups.contact_groups(session, ann)
    assert group_id not in [m.group_id for m in stints.current]
    assert [m.removed_reason for m in stints.past] == ["Unticked it in Mailchimp (audience Supporters)"]
    assert "Unticked the interest 'Volunteers' in Mailchimp" in subjects(product, ann)


def test_a_name_she_typed_herself_is_taken_when_the_integration_accepts_profile_changes(
    product: Product,
) -> None:
    audience = connect(product)
    set_integration(audience, accept_profile_changes=True)
    [ann] = add_people(product, ANN)
    synced(audience)
    audience.person_action(ANN, "update-profile", merge_fields={"FNAME": "Annie"})

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    with product.db.sessions() as session:
        assert contact(session, ann).first_name == "Annie"
    assert audience.member(ANN)["merge_fields"]["FNAME"] == "Annie"
    assert run.requests_write == 0  # Mailchimp already holds what the database now says


def test_members_we_do_not_own_and_members_who_unsubscribed_are_never_rewritten(product: Product) -> None:
    audience = connect(product)
    add_people(product, ANN, BOB)
    synced(audience)
    admin_edit(
        audience, "PUT", CY, email_address=CY, status_if_new="subscribed", merge_fields={"FNAME": "Cy"}
    )
    audience.person_action(BOB, "unsubscribe")
    admin_edit(audience, "PATCH", BOB, merge_fields={"FNAME": "Robert"})

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    assert run.requests_write == 0
    assert audience.member(CY)["merge_fields"]["FNAME"] == "Cy"
    assert audience.member(BOB)["status"] == "unsubscribed"


@pytest.mark.slow
def test_a_night_with_a_few_hand_edits_in_a_bigger_audience_writes_only_those_members(
    product: Product,
) -> None:
    audience = connect(product)
    emails = [f"p{i}@mailbox.org" for i in range(300)]
    add_people(product, *emails)
    synced(audience)
    synced(audience)  # the run after the import reads its members back once
    for email in emails[:5]:
        admin_edit(audience, "PATCH", email, merge_fields={"LNAME": "Typed"})

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    assert run.updated == 5
    assert all(audience.member(e)["merge_fields"]["LNAME"] == "Tester" for e in emails[:5])


def test_reading_hand_edits_is_no_sync_so_a_group_change_not_yet_sent_is_never_taken_for_her_untick(
    product: Product,
) -> None:
    """Month three: a staffer adds Ann to a group mapped as an interest; before the next sync, the hourly
    check reads hand edits on her twice. Reading her is not syncing her: Mailchimp was never told about the
    group, so its unticked interest is not her choice and she stays in the group."""
    audience = connect(product)
    [ann] = add_people(product, ANN)
    group_id = group_with(product, "Volunteers", [])
    interest_id = map_group_as(audience, group_id, SourceTarget.interest)
    synced(audience)
    with session_scope(product.db.sessions) as session:
        groups.add_to_group(session, group_id, [ann], method=MembershipMethod.user, actor="staff")
    admin_edit(audience, "PATCH", ANN, merge_fields={"FNAME": "Annie"})
    reconcile(audience.database, product.settings, integration_id=audience.integration_id)
    audience.person_action(ANN, "update-profile", merge_fields={"LNAME": "Lee"})

    reconcile(audience.database, product.settings, integration_id=audience.integration_id)

    with product.db.sessions() as session:
        assert group_id in [m.group_id for m in groups.contact_groups(session, ann).current]
    synced(audience)
    assert interest_id is not None and audience.member(ANN)["interests"][interest_id] is True
