"""The sync against Mailchimp's recorded answers (docs/MAILCHIMP-FIDELITY.md): each test would fail against
the real service with the product as it was before issue 12. Real emulator over HTTP, both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from constituent.crm.activities.models import Activity
from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.integrations.mailchimp.schemas import SettingsChange
from constituent.integrations.mailchimp.settings import update_settings
from constituent.integrations.mailchimp.sync.contact_status import mailchimp_status_for_contact
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.db import session_scope
from mailchimp_emulator.readings import looks_fake_detail
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import (
    Audience,
    add_people,
    change_primary_email,
    connect,
    group_with,
    map_group_as,
    update_person,
)


@pytest.fixture(params=[False, True], ids=["listing-without-archived", "listing-with-archived"])
def audience(request: pytest.FixtureRequest, product: Product) -> Iterator[Audience]:
    """Both readings of the probably-true row: does the default member listing show archived members?"""
    connected = connect(product)
    readings = f"accounts/{connected.account_id}/readings"
    product.emulator.control("PUT", readings, {"listing_includes_archived": request.param})
    yield connected


def _api_post(audience: Audience, path: str, body: dict[str, object] | None = None) -> int:
    with audience.product.emulator.api_client(audience.api_key) as client:
        return client.post(f"/lists/{audience.audience_id}{path}", json=body).status_code


def _member_gets(audience: Audience) -> int:
    """Single-member GETs the product made (a full resync should list, not look members up one by one)."""
    stats = audience.product.emulator.control("GET", "stats", account_id=audience.account_id)
    return int(stats["requests"].get("GET /3.0/lists/{list_id}/members/{subscriber_hash}", 0))


@pytest.mark.slow
def test_a_member_we_archived_who_qualifies_again_is_brought_back_subscribed(audience: Audience) -> None:
    """REAL-BEHAVIOUR row 2 (tbar0970/jethro-pmm issue #708, fix a01edde1): status_if_new does not bring an
    archived member back, only status does; before, the member stayed archived for ever."""
    product = audience.product
    ids = add_people(product, *(f"p{n}@mailbox.org" for n in range(4)))
    audience.sync()
    update_person(product, ids[0], do_not_email=True)
    audience.sync(confirm_removals=True)
    assert audience.member("p0@mailbox.org")["status"] == "archived"

    update_person(product, ids[0], do_not_email=False)
    back = audience.sync()

    assert (back.status, back.created, back.errors) == (RunStatus.succeeded, 1, 0)
    assert audience.member("p0@mailbox.org")["status"] == "subscribed"
    entry = audience.ledger()[subscriber_hash("p0@mailbox.org")]
    assert (entry.status, entry.archived_by_us) == (RemoteStatus.subscribed, False)
    assert audience.sync().requests_write == 0


@pytest.mark.slow
def test_a_member_archived_by_someone_in_mailchimp_is_not_brought_back(audience: Audience) -> None:
    product = audience.product
    (ada,) = add_people(product, "ada@mailbox.org")
    audience.sync()
    with product.emulator.api_client(audience.api_key) as client:
        path = f"/lists/{audience.audience_id}/members/{subscriber_hash('ada@mailbox.org')}"
        assert client.delete(path).status_code == 204

    audience.full()
    update_person(product, ada, last_name="Again")
    run = audience.sync()

    assert audience.member("ada@mailbox.org")["status"] == "archived"
    assert (run.refused, run.requests_write) == (1, 0)


@pytest.mark.slow
def test_a_full_resync_lists_archived_members_instead_of_looking_each_one_up(audience: Audience) -> None:
    """Probably true: the default listing leaves archived members out (jethro-pmm #708; MailChimp.Net
    issue #529). Asked for by status, they cost one listing, not one GET each, under either reading."""
    product = audience.product
    ids = add_people(product, *(f"p{n}@mailbox.org" for n in range(6)))
    audience.sync()
    for contact_id in ids[:3]:
        update_person(product, contact_id, do_not_email=True)
    audience.sync(confirm_removals=True)
    before = _member_gets(audience)

    run = audience.full()

    assert run.status is RunStatus.succeeded, run.message
    assert _member_gets(audience) == before
    ledger = audience.ledger()
    for n in range(3):
        entry = ledger[subscriber_hash(f"p{n}@mailbox.org")]
        assert (entry.status, entry.archived_by_us) == (RemoteStatus.archived, True)


@pytest.mark.slow
def test_an_address_that_looks_fake_is_refused_recorded_and_not_sent_again(audience: Audience) -> None:
    """REAL-BEHAVIOUR row 4 (grouparoo/grouparoo plugins/@grouparoo/mailchimp/__tests__/fixtures/export/
    export-record.js: "foo@example.com looks fake or invalid, please enter a real email address."): a
    refusal, with Mailchimp's sentence, counted as refused and not re-sent until the address changes."""
    product = audience.product
    fake, _ada = add_people(product, "foo@example.com", "ada@mailbox.org")

    first = audience.sync()
    update_person(product, fake, last_name="Again")
    second = audience.sync()

    assert (first.status, first.created, first.refused, first.errors) == (RunStatus.succeeded, 1, 1, 0)
    entry = audience.ledger()[subscriber_hash("foo@example.com")]
    assert looks_fake_detail("foo@example.com") in entry.refused
    assert (second.refused, second.errors, second.requests_write) == (1, 0, 0)
    with product.db.sessions() as session:
        (panel,) = mailchimp_status_for_contact(session, fake)
        subjects = [a.subject for a in session.query(Activity).filter_by(contact_id=fake)]
    assert looks_fake_detail("foo@example.com") in panel.problem
    assert sum(looks_fake_detail("foo@example.com") in s for s in subjects) == 1

    change_primary_email(product, fake, "foo@posteo.de")
    third = audience.sync()
    assert (third.created, third.errors) == (1, 0)
    assert audience.member("foo@posteo.de")["status"] == "subscribed"


@pytest.mark.slow
def test_an_unsubscribed_member_of_ours_keeps_fields_and_tags_current_never_a_status(
    audience: Audience,
) -> None:
    """REAL-BEHAVIOUR "confirmed to match": PUT without status keeps the status and updates merge fields;
    so Mailchimp's copy of someone who left stays true (issue 12). (A cleaned member's address is marked
    bounced, so its contact no longer qualifies: the planner tests cover cleaned members still wanted.)"""
    action = "unsubscribe"
    product = audience.product
    (ada,) = add_people(product, "ada@mailbox.org")
    audience.sync()
    audience.person_action("ada@mailbox.org", action)

    update_person(product, ada, last_name="Lovelace")
    run = audience.sync()

    assert (run.status, run.errors) == (RunStatus.succeeded, 0)
    member = audience.member("ada@mailbox.org")
    assert member["merge_fields"]["LNAME"] == "Lovelace"
    assert member["status"] == "unsubscribed"
    assert audience.sync().requests_write == 0


@pytest.mark.parametrize(
    ("held_status", "adopted"),
    [("subscribed", True), ("pending", True), ("unsubscribed", False), ("forgotten", False)],
)
@pytest.mark.slow
def test_a_rename_onto_an_address_mailchimp_holds_ends_in_a_defined_state(
    audience: Audience, held_status: str, adopted: bool
) -> None:
    """REAL-BEHAVIOUR row 1 (wepublish/wepublish libs/mail/api/src/lib/mailchimp-contact/
    mailchimp-contact.service.spec.ts): Invalid Resource, "… is already in this list with a status of …",
    also for a permanently deleted address. The old member is archived; the held one adopted if
    subscribed or pending, else recorded as refused with Mailchimp's words; nothing repeats next run."""
    product = audience.product
    (ada,) = add_people(product, "ada@mailbox.org")
    audience.sync()
    held = "ada@work.co.uk"
    status = "subscribed" if held_status == "forgotten" else held_status
    assert _api_post(audience, "/members", {"email_address": held, "status": status}) == 200
    held_path = f"/members/{subscriber_hash(held)}"
    if held_status == "forgotten":
        assert _api_post(audience, f"{held_path}/actions/delete-permanent") == 204

    change_primary_email(product, ada, held)
    run = audience.sync()
    again = audience.sync()

    assert (run.status, run.errors) == (RunStatus.succeeded, 0), run.message
    assert audience.member("ada@mailbox.org")["status"] == "archived"
    entry = audience.ledger()[subscriber_hash(held)]
    if adopted:
        assert audience.member(held)["merge_fields"]["FNAME"] == "Ada"
        assert (entry.status.value, entry.refused) == (held_status, "")
    else:
        assert "is already in this list with a status of" in entry.refused
        assert run.refused == 1
    # The adopted member gets our tags on the next run (it held none of them); then all is in step.
    assert again.errors == 0
    assert audience.sync().requests_write == 0


@pytest.mark.slow
def test_a_rename_onto_an_address_that_looks_fake_archives_the_old_member_and_records_the_refusal(
    audience: Audience,
) -> None:
    """REAL-BEHAVIOUR row 4 on a rename (wepublish/wepublish: `jane.doe@gmail.vom`): the refusal names no
    field, so the applier asks again with the address alone before recording Mailchimp's sentence."""
    product = audience.product
    (ada,) = add_people(product, "ada@mailbox.org")
    audience.sync()

    change_primary_email(product, ada, "ada@gmail.vom")
    run = audience.sync()
    again = audience.sync()

    assert (run.status, run.errors, run.refused) == (RunStatus.succeeded, 0, 1), run.message
    assert audience.member("ada@mailbox.org")["status"] == "archived"
    entry = audience.ledger()[subscriber_hash("ada@gmail.vom")]
    assert looks_fake_detail("ada@gmail.vom") in entry.refused
    assert (again.errors, again.requests_write, again.refused) == (0, 0, 1)


def test_a_pending_members_new_address_is_added_pending_instead_of_renamed(product: Product) -> None:
    """REAL-BEHAVIOUR row 3: only subscribed members may change address (the rename of a pending member
    errored on every run). Under double opt-in the new address is added as pending."""
    audience = connect(product)
    with session_scope(product.db.sessions) as session:
        update_settings(session, audience.integration_id, SettingsChange(double_optin=True))
    (ada,) = add_people(product, "ada@mailbox.org")
    audience.sync()
    assert audience.member("ada@mailbox.org")["status"] == "pending"

    change_primary_email(product, ada, "ada@posteo.de")
    run = audience.sync()

    assert (run.status, run.errors, run.created) == (RunStatus.succeeded, 0, 1), run.message
    assert audience.member("ada@posteo.de")["status"] == "pending"
    assert audience.sync().errors == 0


@pytest.mark.slow
def test_a_group_tagged_months_later_reaches_the_members_mailchimp_already_holds(audience: Audience) -> None:
    """Row 13: batch subscribe adds an entry's tags to a member already present (Mailchimp's release note
    of 2022-01-24, "Added ability to sync tags to existing members"), which is how a run gives known
    members a new tag; PUT and PATCH would ignore them (row 14), so no other write carries tags."""
    product = audience.product
    ann, bo, _ = add_people(product, "ann@mailbox.org", "bo@mailbox.org", "cy@mailbox.org")
    audience.sync()
    map_group_as(audience, group_with(product, "Canvassers", [ann, bo]), SourceTarget.tag)

    run = audience.sync()

    assert (run.status, run.errors, run.tags_added, run.created) == (RunStatus.succeeded, 0, 2, 0)
    tagged = {email for email, member in audience.members().items() if "Canvassers" in member["tags"]}
    assert tagged == {"ann@mailbox.org", "bo@mailbox.org"}
    assert audience.sync().requests_write == 0
