"""A batch-subscribe page asks Mailchimp for only the fields it reads (``fields=``), and records the same
whether the answer comes trimmed or whole: the spec declares ``fields`` on GETs only, so whether a write's
answer is trimmed is a reading of the emulator (docs/MAILCHIMP-FIDELITY.md, "Probably true")."""

from __future__ import annotations

import pytest

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.responses import BatchError, BatchSubscribeResult, WrittenMember
from constituent.integrations.mailchimp.sync.batch_subscribe import ANSWER_FIELDS
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from mailchimp_emulator.readings import looks_fake_detail
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect


def _person_id(audience: Audience, email: str) -> str:
    """Mailchimp's own id of the person behind a member (``contact_id`` in its member objects)."""
    with audience.product.emulator.api_client(audience.api_key) as client:
        path = f"/lists/{audience.audience_id}/members/{subscriber_hash(email)}"
        return str(client.get(path, params={"fields": "contact_id"}).json()["contact_id"])


@pytest.mark.parametrize("trimmed", [True, False], ids=["answer-trimmed", "answer-whole"])
def test_a_first_sync_records_each_answer_the_same_whether_or_not_mailchimp_trims_it(
    product: Product, trimmed: bool
) -> None:
    audience = connect(product)
    readings = f"accounts/{audience.account_id}/readings"
    product.emulator.control("PUT", readings, {"write_answers_trimmed": trimmed})
    with product.emulator.api_client(audience.api_key) as client:
        client.post(
            f"/lists/{audience.audience_id}/members",
            json={"email_address": "left@mailbox.org", "status": "subscribed"},
        )
    audience.person_action("left@mailbox.org", "unsubscribe")
    add_people(product, "ada@mailbox.org", "grace@posteo.de", "left@mailbox.org", "foo@example.com")

    run = audience.sync()

    # The unsubscribed member is written (fields kept current) and told as refused, as is the fake address.
    assert (run.status, run.created, run.updated, run.refused) == (RunStatus.succeeded, 2, 1, 2)
    ledger = audience.ledger()
    for email in ("ada@mailbox.org", "grace@posteo.de"):
        entry = ledger[subscriber_hash(email)]
        assert (entry.status, entry.mc_contact_id) == (RemoteStatus.subscribed, _person_id(audience, email))
    assert ledger[subscriber_hash("left@mailbox.org")].status is RemoteStatus.unsubscribed
    assert looks_fake_detail("foo@example.com") in ledger[subscriber_hash("foo@example.com")].refused
    assert audience.sync().requests_write == 0


def test_a_page_asks_for_every_field_its_answer_is_read_for_and_no_other(product: Product) -> None:
    audience = connect(product)
    entries = [
        {"email_address": "ada@mailbox.org", "status_if_new": "subscribed", "merge_fields": {"FNAME": "Ada"}},
        {"email_address": "not-an-address", "status_if_new": "subscribed"},
    ]
    with product.emulator.api_client(audience.api_key) as client:
        response = client.post(
            f"/lists/{audience.audience_id}", params={"fields": ANSWER_FIELDS}, json={"members": entries}
        )
    answer = response.json()

    assert set(answer) == set(BatchSubscribeResult.model_fields)
    assert set(answer["new_members"][0]) == set(WrittenMember.model_fields)
    assert set(answer["errors"][0]) <= set(BatchError.model_fields)
    assert BatchSubscribeResult.model_validate(answer).new_members[0].contact_id
