"""The audience health check (issue 19), through the real emulator over HTTP, on both databases: after a sync
and a set of hand changes made in Mailchimp, every figure equals what the emulator's own export says, and the
CLI, the REST API and the page show them."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from constituent.auth.models import Role
from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.health.schemas import HealthKind, HealthReport
from constituent.integrations.mailchimp.health.service import check
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.kit.clock import utcnow
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product, served_api
from tests.integrations.mailchimp.sync.sync_helpers import (
    Audience,
    add_people,
    connect,
    group_with,
    map_group_as,
)

PEOPLE = ("ann@mailbox.org", "bob@mailbox.org", "cy@mailbox.org", "dee@mailbox.org", "eve@mailbox.org")
FAKE = "fay@gmail.vom"  # the emulator's "looks fake" rule: refused at the sync (REAL-BEHAVIOUR row 4)
BY_HAND = "hand@mailbox.org"


@pytest.fixture
def admin_api(product: Product) -> Iterator[httpx.Client]:
    with served_api(product, Role.admin) as client:
        yield client


def by_admin(audience: Audience, method: str, email: str, suffix: str = "", **body: object) -> None:
    """What someone does in Mailchimp's audience screens, as the account's own API calls."""
    path = f"/lists/{audience.audience_id}/members/{subscriber_hash(email)}{suffix}"
    with audience.product.emulator.api_client(audience.api_key) as http:
        answer = http.request(method, path, json=body or None)
    assert answer.status_code < 300, answer.text


@pytest.fixture
def changed(product: Product) -> Audience:
    """Synced with a group as a tag; then by hand in Mailchimp: one member added, one archived, one
    deleted for good, a name typed, our tag removed, and one person unsubscribed herself."""
    audience = connect(product)
    ids = add_people(product, *PEOPLE, FAKE)
    map_group_as(audience, group_with(product, "Volunteers", ids[:2]), SourceTarget.tag)
    assert audience.sync().status.value == "succeeded"
    by_admin(audience, "PUT", BY_HAND, email_address=BY_HAND, status_if_new="subscribed")
    by_admin(audience, "DELETE", "cy@mailbox.org")
    by_admin(audience, "POST", "dee@mailbox.org", "/actions/delete-permanent")
    by_admin(audience, "PATCH", "ann@mailbox.org", merge_fields={"FNAME": "Typed"})
    by_admin(
        audience, "POST", "bob@mailbox.org", "/tags", tags=[{"name": "Volunteers", "status": "inactive"}]
    )
    audience.person_action("eve@mailbox.org", "unsubscribe")
    return audience


def run_check(audience: Audience) -> HealthReport:
    product = audience.product
    with session_scope(product.db.sessions) as session:
        return asyncio.run(check(session, product.box, audience.integration_id, utcnow()))


def test_every_figure_equals_what_mailchimp_holds(changed: Audience) -> None:
    writes = changed.emulator_writes()
    report = run_check(changed)

    export = changed.members()
    assert report.by_status == {
        s: Counter(m["status"] for m in export.values()).get(s, 0) for s in report.by_status
    }
    assert report.by_status["archived"] == 1 and report.by_status["unsubscribed"] == 1
    assert report.counts == {
        HealthKind.unowned: 1,  # typed in by hand
        HealthKind.archived_by_hand: 1,
        HealthKind.deleted_there: 1,
        HealthKind.drifted: 2,  # a name typed, a tag removed
        HealthKind.refused: 1,  # the address that looks fake
    }
    assert changed.emulator_writes() == writes  # a check reads; it never writes to Mailchimp
    assert changed.member("ann@mailbox.org")["merge_fields"]["FNAME"] == "Typed"


@pytest.mark.slow
def test_the_cli_runs_a_check_and_names_each_line_with_what_the_next_sync_does(changed: Audience) -> None:
    result = changed.product.cli("mailchimp", "health", str(changed.integration_id))
    as_json = changed.product.cli_json("mailchimp", "health", str(changed.integration_id))

    assert result.returncode == 0, result.stderr
    assert "Fields, tags or interests differ from the database" in result.stdout
    assert "next sync: The next sync writes the database's values back" in result.stdout
    assert as_json["counts"]["drifted"] == 2 and as_json["by_status"]["subscribed"] == 3


def test_rest_says_not_checked_yet_then_checks_on_post(changed: Audience, admin_api: httpx.Client) -> None:
    path = f"/integrations/mailchimp/{changed.integration_id}/health"
    assert admin_api.get(path).status_code == 404

    posted = admin_api.post(path)
    latest = admin_api.get(path)

    assert posted.status_code == 200, posted.text
    assert latest.json()["counts"] == posted.json()["counts"]
    assert latest.json()["counts"]["deleted_there"] == 1
