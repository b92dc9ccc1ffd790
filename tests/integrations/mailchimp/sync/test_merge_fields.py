"""Contact fields mapped onto extra merge fields, seen end to end through real syncs on the emulator."""

from __future__ import annotations

import pytest

from constituent.crm.errors import InvalidInput
from constituent.integrations.mailchimp.sync.models import RunStatus
from constituent.kit.clock import utcnow
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.merge_field_helpers import (
    create_remote_field,
    map_field,
    remote_merge_fields,
    unmap_field,
)
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect, update_person


def test_mapping_a_field_creates_the_merge_field_in_mailchimp_once(product: Product) -> None:
    audience = connect(product)

    merge_id = map_field(audience, "external_id", "extid")

    created = remote_merge_fields(audience)["EXTID"]
    assert (created["merge_id"], created["type"], created["name"]) == (merge_id, "text", "External ID")
    assert map_field(audience, "external_id", "EXTID") == merge_id  # the same pair again is a no-op
    assert len(remote_merge_fields(audience)) == 5  # FNAME, LNAME, ADDRESS, PHONE, EXTID


@pytest.mark.slow
def test_an_existing_merge_field_of_a_fitting_type_is_reused(product: Product) -> None:
    audience = connect(product)
    existing = create_remote_field(audience, "JOINED", "text")

    assert map_field(audience, "created_at", "JOINED") == existing
    assert len(remote_merge_fields(audience)) == 5


def test_the_initial_sync_sends_the_mapped_values(product: Product) -> None:
    audience = connect(product)
    map_field(audience, "external_id", "EXTID")
    map_field(audience, "created_at", "JOINED")
    add_people(product, "ada@mailbox.org", external_id="A-1")
    add_people(product, "bob@mailbox.org")

    audience.sync()

    ada, bob = audience.member("ada@mailbox.org"), audience.member("bob@mailbox.org")
    assert remote_merge_fields(audience)["JOINED"]["type"] == "date"
    assert (ada["merge_fields"]["EXTID"], bob["merge_fields"]["EXTID"]) == ("A-1", "")
    assert ada["merge_fields"]["JOINED"] == utcnow().strftime("%Y-%m-%d")


@pytest.mark.slow
def test_changing_a_mapped_field_updates_only_that_member(product: Product) -> None:
    audience = connect(product)
    map_field(audience, "source", "SOURCE")
    ada, _bob = add_people(product, "ada@mailbox.org", "bob@mailbox.org", source="gala")
    audience.sync()

    update_person(product, ada, source="website")
    run = audience.sync()
    unchanged = audience.sync()

    assert (run.status, run.updated, run.created) == (RunStatus.succeeded, 1, 0)
    assert audience.member("ada@mailbox.org")["merge_fields"]["SOURCE"] == "website"
    assert audience.member("bob@mailbox.org")["merge_fields"]["SOURCE"] == "gala"
    assert unchanged.requests_write == 0


def test_a_mapping_added_later_reaches_every_member_on_the_next_incremental_run(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org", "bob@mailbox.org", city="Springfield")
    audience.sync()

    map_field(audience, "city", "TOWN")
    run = audience.sync()

    assert (run.updated, run.created) == (2, 0)
    assert {m["merge_fields"]["TOWN"] for m in audience.members().values()} == {"Springfield"}


@pytest.mark.slow
def test_an_unmapped_field_is_no_longer_sent_and_mailchimp_keeps_its_values(product: Product) -> None:
    audience = connect(product)
    map_field(audience, "source", "SOURCE")
    (ada,) = add_people(product, "ada@mailbox.org", source="gala")
    audience.sync()

    unmap_field(audience, "source")
    update_person(product, ada, source="website")
    audience.sync()

    assert audience.member("ada@mailbox.org")["merge_fields"]["SOURCE"] == "gala"
    assert "SOURCE" in remote_merge_fields(audience)


@pytest.mark.slow
def test_the_next_sync_repairs_a_mapped_value_typed_into_mailchimp(product: Product) -> None:
    audience = connect(product)
    map_field(audience, "external_id", "EXTID")
    add_people(product, "ada@mailbox.org", external_id="A-1")
    audience.sync()
    audience.person_action("ada@mailbox.org", "update-profile", merge_fields={"EXTID": "typed"})

    incremental = audience.sync()
    full = audience.full()

    assert (incremental.updated, incremental.created) == (1, 0)  # read back by its reconciliation
    assert audience.member("ada@mailbox.org")["merge_fields"]["EXTID"] == "A-1"
    assert full.requests_write == 0  # in step again: the normalised values match


@pytest.mark.parametrize(
    ("field", "tag", "named", "message"),
    [
        ("external_id", "EXT-ID", "tag", "1 to 10 characters"),
        ("external_id", "EXTERNAL_ID", "tag", "1 to 10 characters"),
        ("external_id", "fname", "tag", "written by the sync itself"),
        ("external_id", "EMAIL", "tag", "written by the sync itself"),
        ("shoe_size", "SHOES", "field", "unknown contact field"),
        ("created_at", "ADDR2", "tag", "already has a address merge field"),
    ],
)
def test_a_bad_mapping_names_the_field_and_creates_nothing(
    product: Product, field: str, tag: str, named: str, message: str
) -> None:
    audience = connect(product)
    create_remote_field(audience, "ADDR2", "address")
    before = remote_merge_fields(audience)

    with pytest.raises(InvalidInput, match=message) as raised:
        map_field(audience, field, tag)

    assert raised.value.field == named
    assert remote_merge_fields(audience) == before


@pytest.mark.slow
def test_a_tag_or_field_already_mapped_is_refused(product: Product) -> None:
    audience = connect(product)
    map_field(audience, "city", "TOWN")

    with pytest.raises(InvalidInput, match="already carries city"):
        map_field(audience, "state", "TOWN")
    with pytest.raises(InvalidInput, match="already mapped to TOWN"):
        map_field(audience, "city", "CITY")
    with pytest.raises(InvalidInput, match="not mapped"):
        unmap_field(audience, "state")
