"""Merge-field mappings through the CLI (a real process) and the REST API (our app served over HTTP)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from constituent.auth.models import Role
from constituent.integrations.mailchimp.merge_fields.catalog import FIELDS
from tests.integrations.mailchimp.conftest import CLI, Product, served_api
from tests.integrations.mailchimp.sync.merge_field_helpers import remote_merge_fields
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect


@pytest.fixture
def admin_api(product: Product) -> Iterator[httpx.Client]:
    with served_api(product, Role.admin) as client:
        yield client


def _path(audience: Audience, field: str = "") -> str:
    base = f"/integrations/mailchimp/{audience.integration_id}/mappings/merge-fields"
    return f"{base}/{field}" if field else base


@pytest.mark.slow
def test_the_cli_maps_lists_and_unmaps_a_field(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org", external_id="A-1")

    mapped = product.cli("mailchimp", "map-field", "external_id", "EXTID")
    listed = product.cli_json("mailchimp", "mappings", str(audience.integration_id))
    synced = product.cli("mailchimp", "sync", "--integration", str(audience.integration_id))
    unmapped = product.cli(
        "mailchimp", "unmap-field", "external_id", "--integration", str(audience.integration_id)
    )
    after = product.cli_json("mailchimp", "mappings", str(audience.integration_id))

    assert mapped.returncode == 0, mapped.stderr
    assert "external_id -> EXTID (text)" in mapped.stdout
    [row] = listed["merge_fields"]
    assert (row["field"], row["tag"], row["type"]) == ("external_id", "EXTID", "text")
    assert row["merge_id"] == remote_merge_fields(audience)["EXTID"]["merge_id"]
    assert synced.returncode == 0, synced.stderr
    assert audience.member("ada@mailbox.org")["merge_fields"]["EXTID"] == "A-1"
    assert unmapped.returncode == 0, unmapped.stderr
    assert after["merge_fields"] == []


def test_the_cli_names_a_bad_tag_and_exits_2(product: Product) -> None:
    connect(product)

    result = product.cli("mailchimp", "map-field", "city", "NOT A TAG")

    assert result.returncode == 2
    assert "tag" in result.stderr
    assert "1 to 10 characters" in result.stderr


def test_the_cli_asks_which_integration_when_there_are_several(product: Product) -> None:
    connect(product)
    connect(product)

    result = product.cli("mailchimp", "map-field", "city", "TOWN")

    assert result.returncode == 2
    assert "--integration" in result.stderr


@pytest.mark.slow
def test_the_api_maps_lists_and_unmaps_a_field(product: Product, admin_api: httpx.Client) -> None:
    audience = connect(product)

    put = admin_api.put(_path(audience, "city"), json={"tag": "town"})
    got = admin_api.get(_path(audience))
    deleted = admin_api.delete(_path(audience, "city"))

    assert put.status_code == 200, put.text
    assert [(m["field"], m["tag"], m["type"]) for m in put.json()] == [("city", "TOWN", "text")]
    assert got.json() == put.json()
    assert (deleted.status_code, deleted.json()) == (200, [])
    assert "TOWN" in remote_merge_fields(audience)  # unmapping leaves Mailchimp's field alone


@pytest.mark.parametrize(
    ("field", "tag", "named"),
    [("city", "FNAME", "tag"), ("city", "TOO_LONG_TAG", "tag"), ("favourite_colour", "COLOUR", "field")],
)
@pytest.mark.slow
def test_the_api_answers_422_naming_the_field(
    product: Product, admin_api: httpx.Client, field: str, tag: str, named: str
) -> None:
    audience = connect(product)

    response = admin_api.put(_path(audience, field), json={"tag": tag})

    assert response.status_code == 422, response.text
    assert named in response.text
    assert admin_api.get(_path(audience)).json() == []


@pytest.mark.slow
def test_the_cli_help_names_every_mappable_field() -> None:
    wide = {**os.environ, "COLUMNS": "250"}  # one line per argument, so no name is wrapped
    shown = subprocess.run(
        [CLI, "mailchimp", "map-field", "--help"], env=wide, capture_output=True, text=True, check=True
    )

    assert all(name in shown.stdout for name in FIELDS), shown.stdout
