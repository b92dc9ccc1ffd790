"""The sync endpoints over real HTTP (our app served, the emulator behind it), on both databases."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest

from constituent.auth.models import Role
from tests.integrations.mailchimp.conftest import Product, served_api
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect


@pytest.fixture
def api(product: Product) -> Iterator[httpx.Client]:
    """Our API as a staff member (no admin rights needed to sync)."""
    with served_api(product, Role.staff) as client:
        yield client


def sync(api: httpx.Client, audience: Audience, **body: object) -> dict[str, object]:
    response = api.post(f"/integrations/mailchimp/{audience.integration_id}/sync", json=body)
    assert response.status_code == 200, response.text
    run: dict[str, object] = response.json()
    return run


@pytest.mark.slow
def test_post_sync_runs_it_and_answers_with_the_finished_run(product: Product, api: httpx.Client) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org", "bob@mailbox.org")

    run = sync(api, audience)

    assert (run["status"], run["created"], run["trigger"], run["mode"]) == (
        "succeeded",
        2,
        "first_sync",  # the integration's first run, asked for through the API
        "incremental",
    )
    # The first run looks for who left before it (unsubscribed, cleaned), then reads the audience: listed +
    # archived.
    assert run["requests"] == {"read": 4, "write": 1}
    assert run["member_errors"] == []
    assert set(audience.members()) == {"ada@mailbox.org", "bob@mailbox.org"}


@pytest.mark.slow
def test_a_dry_run_over_the_api_lists_each_address_and_writes_nothing(
    product: Product, api: httpx.Client
) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")

    run = sync(api, audience, mode="full", dry_run=True)

    assert (run["dry_run"], run["created"], run["report_total"]) == (True, 1, 1)
    tags = [f"+{tag}" for tag in sorted(audience.desired_tags()["ada@mailbox.org"])]  # "New contacts"
    assert run["report"] == [
        {"contact_ids": [1], "email": "ada@mailbox.org", "action": "add", "changes": tags, "message": ""}
    ]
    assert audience.members() == {}


@pytest.mark.slow
def test_runs_are_listed_newest_first_and_each_can_be_read(product: Product, api: httpx.Client) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")
    first, second = sync(api, audience), sync(api, audience)

    listed = api.get(f"/integrations/mailchimp/{audience.integration_id}/runs").json()
    read = api.get(f"/sync-runs/{first['run_id']}").json()

    assert [r["run_id"] for r in listed] == [second["run_id"], first["run_id"]]
    assert read["created"] == 1 and read["status"] == "succeeded"
    assert api.get("/sync-runs/999").status_code == 404
    assert api.post("/integrations/mailchimp/999/sync", json={}).status_code == 404


def test_a_bad_mode_is_refused_naming_the_field(product: Product, api: httpx.Client) -> None:
    audience = connect(product)
    response = api.post(f"/integrations/mailchimp/{audience.integration_id}/sync", json={"mode": "sometimes"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "mode"]


@pytest.mark.slow
def test_member_errors_are_in_the_run_and_in_its_csv(product: Product, api: httpx.Client) -> None:
    audience = connect(product)
    (ada,) = add_people(product, "ada@mailbox.org")
    with product.emulator.api_client(audience.api_key) as client:
        # Someone made a required field in Mailchimp that the database does not fill.
        field = {"tag": "COMPANY", "name": "Company", "type": "text", "required": True}
        assert client.post(f"/lists/{audience.audience_id}/merge-fields", json=field).status_code == 200

    run = sync(api, audience)
    csv_response = api.get(f"/sync-runs/{run['run_id']}/errors.csv")

    assert (run["status"], run["errors"], run["created"]) == ("succeeded", 1, 0)
    errors = run["member_errors"]
    assert isinstance(errors, list) and errors[0]["email"] == "ada@mailbox.org"
    assert "COMPANY" in errors[0]["message"]
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    assert [(r["email"], r["contact_id"]) for r in rows] == [("ada@mailbox.org", str(ada))]
    assert api.get(f"/contacts/{ada}").json()["mailchimp"][0]["status"] is None


@pytest.mark.slow
def test_the_contact_shows_its_mailchimp_status_tags_and_refusal(product: Product, api: httpx.Client) -> None:
    audience = connect(product)
    (ada,) = add_people(product, "ada@mailbox.org")
    sync(api, audience)
    audience.person_action("ada@mailbox.org", "unsubscribe")
    sync(api, audience, mode="full")

    panel = api.get(f"/contacts/{ada}").json()["mailchimp"]

    assert len(panel) == 1
    assert panel[0]["integration_id"] == audience.integration_id
    assert (panel[0]["email"], panel[0]["status"]) == ("ada@mailbox.org", "unsubscribed")
    assert panel[0]["last_synced_at"] is not None
    # The run reconciled first: the processor applied the unsubscribe and recorded its words.
    assert panel[0]["problem"] == "Unsubscribed from Supporters"
    assert panel[0]["tags"] == sorted(audience.desired_tags()["ada@mailbox.org"])
