"""Reconciliation over real HTTP against the emulator, on both databases: a change whose webhook was
lost lands through the same processor (an unsubscribe ends the group membership, "Removed (by API)"),
a second pass changes nothing, a sync run reconciles before it plans, archived members only move the
ledger, and a lost signup creates the contact."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from constituent.crm.activities.models import Activity, ChangeLogEntry
from constituent.crm.contacts.emails import subscriber_hash
from constituent.crm.contacts.models import Contact, EmailStatus
from constituent.crm.groups.models import GroupMembership, MembershipMethod
from constituent.crm.groups.schemas import membership_label
from constituent.integrations.mailchimp.reconcile import repository
from constituent.integrations.mailchimp.reconcile.service import ReconcileResult, reconcile
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.inbound.conftest import Live
from tests.integrations.mailchimp.inbound.helpers import activity_subjects, joined, memberships
from tests.integrations.mailchimp.reconcile.helpers import sign_up
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect


def _reconcile(audience: Audience) -> ReconcileResult:
    return reconcile(audience.database, audience.product.settings, integration_id=audience.integration_id)


def _snapshot(product: Product) -> dict[str, Any]:
    """Everything a pass could touch, counted."""
    with product.db.sessions() as session:
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Activity, ChangeLogEntry, GroupMembership, Contact)
        }
    return counts


@pytest.mark.slow
def test_an_unsubscribe_whose_webhook_was_lost_is_caught_and_ends_the_group_membership(
    live_groups: Live,
) -> None:
    live = live_groups
    [ann] = joined(live, "ann@mailbox.org")
    live.audience.sync()
    live.product.emulator.control(
        "PUT", "webhooks/delivery", {"paused": True, "list_id": live.audience.audience_id}
    )
    live.person("ann@mailbox.org", "unsubscribe", reason="manual")
    [lost] = live.settle(1)
    assert lost["type"] == "unsubscribe" and lost["outcome"] == "dropped"
    assert live.inbox() == []

    result = _reconcile(live.audience)

    assert (result.events_applied, result.failed) == (1, 0)
    groups = memberships(live, ann)
    assert groups.current == []
    [past] = groups.past
    assert (past.group_name, past.removed_method) == ("Members", MembershipMethod.api)
    assert membership_label(past.status, past.removed_method) == "Removed (by API)"
    assert past.removed_at is not None and past.added_at <= past.removed_at
    assert any(s.startswith("Unsubscribed from Mailchimp audience") for s in activity_subjects(live, ann))
    ledger_row = live.audience.ledger()[subscriber_hash("ann@mailbox.org")]
    assert ledger_row.status is RemoteStatus.unsubscribed


def test_reconciling_again_changes_nothing(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org", "bob@mailbox.org")
    audience.sync()
    audience.person_action("ann@mailbox.org", "unsubscribe", reason="manual")
    audience.person_action("bob@mailbox.org", "bounce")
    first = _reconcile(audience)
    before, ledger_before = _snapshot(product), audience.ledger()

    second = _reconcile(audience)

    assert first.events_applied == 2
    assert (second.events_applied, second.ledger_corrected, second.failed) == (0, 0, 0)
    assert second.members_read >= 2  # the overlap re-reads them; nothing differs any more
    assert _snapshot(product) == before
    assert audience.ledger() == ledger_before


@pytest.mark.slow
def test_a_sync_run_reconciles_before_it_plans(product: Product) -> None:
    audience = connect(product)
    ann, bob = add_people(product, "ann@mailbox.org", "bob@mailbox.org")
    audience.sync()
    audience.person_action("ann@mailbox.org", "unsubscribe", reason="manual")
    audience.person_action("bob@mailbox.org", "bounce")

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    assert run.requests_write == 0
    ledger = audience.ledger()
    assert ledger[subscriber_hash("ann@mailbox.org")].status is RemoteStatus.unsubscribed
    assert ledger[subscriber_hash("bob@mailbox.org")].status is RemoteStatus.cleaned
    with product.db.sessions() as session:
        ann_subjects = list(session.scalars(select(Activity.subject).where(Activity.contact_id == ann)))
        bob_contact = session.get(Contact, bob)
        assert bob_contact is not None
        assert [e.status for e in bob_contact.emails] == [EmailStatus.bounced]
    assert any(s.startswith("Unsubscribed from Mailchimp audience") for s in ann_subjects)


@pytest.mark.slow
def test_a_member_archived_in_mailchimp_only_moves_the_ledger_and_stays_archived(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org")
    audience.sync()
    with product.emulator.api_client(audience.api_key) as mailchimp:
        path = f"/lists/{audience.audience_id}/members/{subscriber_hash('ann@mailbox.org')}"
        assert mailchimp.delete(path).status_code == 204
    before = _snapshot(product)

    result = _reconcile(audience)

    assert (result.events_applied, result.ledger_corrected) == (0, 1)
    entry = audience.ledger()[subscriber_hash("ann@mailbox.org")]
    assert (entry.status, entry.archived_by_us) == (RemoteStatus.archived, False)
    assert _snapshot(product) == before
    audience.sync()
    assert audience.member("ann@mailbox.org")["status"] == "archived"


def test_a_signup_whose_webhook_was_lost_creates_the_contact(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org")
    audience.sync()
    sign_up(audience, "new@mailbox.org", FNAME="Nia", LNAME="Okafor")

    result = _reconcile(audience)

    assert result.events_applied == 1
    with product.db.sessions() as session:
        [created] = session.scalars(select(Contact).where(Contact.source == "Mailchimp signup")).all()
        assert (created.first_name, created.last_name) == ("Nia", "Okafor")
    assert _reconcile(audience).events_applied == 0


def test_before_the_first_sync_nothing_is_read_and_the_watermark_is_set(product: Product) -> None:
    audience = connect(product)
    sign_up(audience, "early@mailbox.org")

    result = _reconcile(audience)

    assert (result.integrations, result.members_read, result.events_applied) == (1, 0, 0)
    with product.db.sessions() as session:
        state = repository.get(session, audience.integration_id)
        assert state is not None and state.watermark is not None
        assert session.scalar(select(func.count()).select_from(Contact)) == 0


@pytest.mark.slow
def test_the_cli_reconciles_and_prints_its_counts(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org")
    audience.sync()
    audience.person_action("ann@mailbox.org", "unsubscribe", reason="manual")

    counts = product.cli_json("mailchimp", "reconcile", "--integration", str(audience.integration_id))

    assert counts["events_applied"] == 1 and counts["failed"] == 0
    again = product.cli("mailchimp", "reconcile")
    assert again.returncode == 0, again.stderr
    assert "0 change(s) applied" in again.stdout
    unknown = product.cli("mailchimp", "reconcile", "--integration", "999")
    assert unknown.returncode == 1 and "integration 999 not found" in unknown.stderr


@pytest.mark.slow
def test_a_pass_mailchimp_refuses_keeps_the_watermark_and_the_next_one_catches_up(
    faulty_product: Product,
) -> None:
    audience = connect(faulty_product)
    [ann] = add_people(faulty_product, "ann@mailbox.org")
    audience.sync()
    with faulty_product.db.sessions() as session:
        state = repository.get(session, audience.integration_id)
        assert state is not None
        watermark = state.watermark
    audience.person_action("ann@mailbox.org", "unsubscribe", reason="manual")
    faulty_product.emulator.control("PUT", "faults", {"error_rate": 1.0, "error_statuses": [400]})

    failed = _reconcile(audience)

    assert (failed.failed, failed.events_applied) == (1, 0)
    with faulty_product.db.sessions() as session:
        state = repository.get(session, audience.integration_id)
        assert state is not None
        assert state.watermark == watermark and "injected by the emulator" in state.last_error
    faulty_product.emulator.control("PUT", "faults", {})
    assert _reconcile(audience).events_applied == 1
    with faulty_product.db.sessions() as session:
        subjects = session.scalars(select(Activity.subject).where(Activity.contact_id == ann)).all()
    assert any(s.startswith("Unsubscribed from Mailchimp audience") for s in subjects)


def test_someone_who_unsubscribed_and_signed_up_again_is_subscribed_again(product: Product) -> None:
    audience = connect(product)
    [ann] = add_people(product, "ann@mailbox.org")
    audience.sync()
    audience.person_action("ann@mailbox.org", "unsubscribe", reason="manual")
    _reconcile(audience)
    sign_up(audience, "ann@mailbox.org")

    result = _reconcile(audience)

    assert result.events_applied == 1
    assert audience.ledger()[subscriber_hash("ann@mailbox.org")].status is RemoteStatus.subscribed
    with product.db.sessions() as session:
        subjects = session.scalars(select(Activity.subject).where(Activity.contact_id == ann)).all()
        assert session.scalar(select(func.count()).select_from(Contact)) == 1
    assert any(s.startswith("Signed up to Mailchimp audience") for s in subjects)


def test_a_change_the_processor_refuses_is_kept_for_the_next_pass_while_the_others_land(
    product: Product,
) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org")
    audience.sync()
    with product.db.sessions() as session:
        state = repository.get(session, audience.integration_id)
        assert state is not None
        watermark = state.watermark
    # Mailchimp takes this address; our database does not (two dots in a row), so no contact can hold it.
    sign_up(audience, "a..b@mailbox.org")
    audience.person_action("ann@mailbox.org", "unsubscribe", reason="manual")

    result = _reconcile(audience)

    assert (result.events_applied, result.failed) == (1, 1)
    ledger = audience.ledger()
    assert ledger[subscriber_hash("ann@mailbox.org")].status is RemoteStatus.unsubscribed
    assert subscriber_hash("a..b@mailbox.org") not in ledger
    with product.db.sessions() as session:
        state = repository.get(session, audience.integration_id)
        assert state is not None
        assert state.watermark == watermark and "could not be applied" in state.last_error
    again = _reconcile(audience)
    assert (again.events_applied, again.failed) == (0, 1)  # tried again, still refused, nothing lost
