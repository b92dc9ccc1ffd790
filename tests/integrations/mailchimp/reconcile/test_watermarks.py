"""The two watermarks, over real HTTP against the emulator, on both databases: a sync run's own pass
reads the subscribed query only when few members changed (after a big run it would read back every member
that run created) and otherwise leaves its watermark alone; the standalone pass reads both and catches
what the sync runs left to it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from constituent.crm.contacts.models import Contact
from constituent.integrations.mailchimp.reconcile import repository, service
from constituent.integrations.mailchimp.reconcile.service import OTHER_STATUSES, reconcile
from constituent.integrations.mailchimp.sync.models import RunStatus
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.reconcile.helpers import sign_up
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect

MEMBER_LIST = "GET /3.0/lists/{list_id}/members"


def _member_list_reads(audience: Audience) -> int:
    stats = audience.product.emulator.control("GET", "stats", account_id=audience.account_id)
    return int(stats["requests"].get(MEMBER_LIST, 0))


def _watermarks(audience: Audience) -> tuple[datetime | None, datetime | None, int]:
    with audience.product.db.sessions() as session:
        state = repository.get(session, audience.integration_id)
        assert state is not None
        return state.watermark, state.optin_watermark, state.members_read


def _signup_contacts(product: Product) -> list[str]:
    with product.db.sessions() as session:
        query = select(Contact.first_name).where(Contact.source == "Mailchimp signup")
        return list(session.scalars(query))


def test_a_sync_run_after_a_big_run_does_not_read_back_the_members_it_created(
    product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three members stand for "more than the run reads itself" (20,000 in the product).
    monkeypatch.setattr(service, "INLINE_LIMIT", 2)
    audience = connect(product)
    add_people(product, "ann@mailbox.org", "bob@mailbox.org", "cy@mailbox.org")
    assert audience.sync().status is RunStatus.succeeded
    assert len(audience.members()) == 3
    before = _member_list_reads(audience)
    status_mark, optin_mark, _ = _watermarks(audience)

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    # One page per status query and one request counting the subscribed changes: none of them is read.
    assert _member_list_reads(audience) - before == len(OTHER_STATUSES) + 1
    new_status_mark, new_optin_mark, members_read = _watermarks(audience)
    assert members_read == 0
    assert status_mark is not None and new_status_mark is not None and new_status_mark > status_mark
    assert new_optin_mark == optin_mark


@pytest.mark.slow
def test_a_sync_run_after_a_small_run_reads_its_members_back_once_and_moves_both_watermarks(
    product: Product,
) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org", "bob@mailbox.org", "cy@mailbox.org")
    audience.sync()
    before = _member_list_reads(audience)

    run = audience.sync()

    assert run.status is RunStatus.succeeded, run.message
    assert _member_list_reads(audience) - before == len(OTHER_STATUSES) + 2  # + the count + one page
    status_mark, optin_mark, members_read = _watermarks(audience)
    assert members_read == 3
    assert status_mark == optin_mark
    assert audience.sync().requests_write == 0  # reading them back found nothing to correct


def test_a_signup_is_caught_by_the_next_sync_run_when_few_members_changed(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ann@mailbox.org")
    audience.sync()
    sign_up(audience, "new@mailbox.org", FNAME="Nia")

    audience.sync()

    assert _signup_contacts(product) == ["Nia"]


def test_a_signup_a_big_sync_run_leaves_is_caught_by_the_next_standalone_pass(
    product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "INLINE_LIMIT", 0)
    audience = connect(product)
    add_people(product, "ann@mailbox.org")
    audience.sync()
    sign_up(audience, "new@mailbox.org", FNAME="Nia")

    audience.sync()

    assert _signup_contacts(product) == []
    result = reconcile(audience.database, product.settings, integration_id=audience.integration_id)
    assert (result.events_applied, result.failed) == (1, 0)
    assert _signup_contacts(product) == ["Nia"]
    status_mark, optin_mark, _ = _watermarks(audience)
    assert status_mark == optin_mark  # the standalone pass moved both to its start


def test_the_first_pass_before_any_sync_sets_both_watermarks(product: Product) -> None:
    audience = connect(product)

    reconcile(audience.database, product.settings, integration_id=audience.integration_id)

    status_mark, optin_mark, members_read = _watermarks(audience)
    assert status_mark is not None and optin_mark == status_mark and members_read == 0
