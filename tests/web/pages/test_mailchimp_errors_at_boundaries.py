"""Mailchimp's refusals and outages are mapped once at each boundary, never a 500 or a traceback:
REST answers problem+json (409 a refusal, 502 an outage) with Mailchimp's words, the CLI prints one
line and exits 1 (refused) or 3 (unavailable), a page flashes the sentence on the page the form came
from, and a job's run ends failed with the reason.

The refusal reproduced first is the issue's: mapping a group as an interest after someone deleted our
interest category in Mailchimp (the emulator answers 404 "Resource Not Found" as Mailchimp does for a
missing category, REAL-BEHAVIOUR.md). The walk then turns the emulator's faults on (every call 500/503,
as the fault injector documented in docs/MAILCHIMP-FIDELITY.md) and calls every route and command that
reaches Mailchimp.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from constituent.auth import service as auth_service
from constituent.kit.db import session_scope
from constituent.kit.settings import Settings
from mailchimp_emulator.config import EmulatorConfig
from tests.conftest import TestDatabase
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import Audience, add_people, connect, group_with
from tests.support.cli import CliResult, invoke
from tests.support.emulator import RunningEmulator
from tests.web.pages.conftest import ADMIN, Browser

ALWAYS_FAILING = {"error_rate": 1.0, "error_statuses": [500, 503], "seed": 3}


@pytest.fixture
def emulator(emulator_factory: Callable[..., RunningEmulator]) -> RunningEmulator:
    """A private emulator: this test turns its faults on without disturbing the others."""
    return emulator_factory(EmulatorConfig())


@dataclass
class Stage:
    product: Product
    audience: Audience
    contact_id: int
    group_id: int
    api: TestClient
    page: Browser

    @property
    def integration(self) -> int:
        return self.audience.integration_id

    def cli(self, *args: str) -> CliResult:
        env = {**self.product.env(), "CONSTITUENT_SECRET_KEYS": self.product.settings.secret_keys or ""}
        return invoke(env, *args)

    def delete_our_interest_category(self) -> None:
        with self.product.emulator.api_client(self.audience.api_key) as client:
            base = f"/lists/{self.audience.audience_id}/interest-categories"
            for category in client.get(base).json()["categories"]:
                assert client.delete(f"{base}/{category['id']}").status_code == 204

    def mailchimp_fails(self) -> None:
        self.product.emulator.control("PUT", "faults", ALWAYS_FAILING)


@pytest.fixture
def stage(app: FastAPI, db: TestDatabase, settings: Settings, emulator: RunningEmulator) -> Iterator[Stage]:
    product = Product(settings, db, emulator)
    audience = connect(product)
    [contact_id] = add_people(product, "ada@mailbox.org")
    group_id = group_with(product, "Volunteers", [contact_id])
    with session_scope(db.sessions) as session:
        token = auth_service.create_token(session, ADMIN).raw
    headers = {"Authorization": f"Bearer {token}"}
    with (
        TestClient(
            app, base_url="http://testserver/api/v1", headers=headers, raise_server_exceptions=False
        ) as api,
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        page = Browser(client)
        assert page.log_in(ADMIN).status_code == 303
        page.get("/")
        yield Stage(product, audience, contact_id, group_id, api, page)


@pytest.mark.slow
def test_the_api_answers_mailchimps_refusal_as_problem_json_in_mailchimps_words(stage: Stage) -> None:
    stage.delete_our_interest_category()

    response = stage.api.put(
        f"/integrations/mailchimp/{stage.integration}/mappings/groups/{stage.group_id}",
        json={"target": "interest"},
    )

    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 409 and problem["detail"].startswith("Mailchimp said: Resource Not Found")
    assert problem["mailchimp"]["status"] == 404
    listed = stage.api.get(f"/integrations/mailchimp/{stage.integration}/mappings").json()
    assert [m for m in listed if m["kind"] == "group" and m["target"] == "interest"] == []


@pytest.mark.slow
def test_the_cli_says_mailchimps_refusal_in_one_line_and_exits_1(stage: Stage) -> None:
    stage.delete_our_interest_category()

    result = stage.cli(
        "mailchimp", "map-group", str(stage.integration), str(stage.group_id), "--as", "interest"
    )

    assert result.traceback == ""
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Mailchimp said: Resource Not Found")
    assert result.stderr.count("\n") == 1


@pytest.mark.slow
def test_a_page_flashes_that_mailchimp_failed_on_the_page_the_form_was_on(stage: Stage) -> None:
    page_url = f"/integrations/mailchimp/{stage.integration}"
    stage.mailchimp_fails()

    response = stage.page.submit(
        f"{page_url}/merge-fields",
        {"field": "city", "tag": "CITY"},
        headers={"referer": f"http://testserver{page_url}"},
    )

    assert response.status_code == 303 and response.headers["location"] == page_url
    shown = stage.page.get(page_url).text
    assert "Not changed. Mailchimp could not be reached just now" in shown
    assert "CITY" not in shown


def rest_calls(stage: Stage) -> list[tuple[str, str, dict[str, object] | None]]:
    integration = f"/integrations/mailchimp/{stage.integration}"
    return [
        ("PUT", f"{integration}/mappings/groups/{stage.group_id}", {"target": "interest"}),
        ("PUT", f"{integration}/mappings/merge-fields/city", {"tag": "CITY"}),
        ("POST", f"/contacts/{stage.contact_id}/mailchimp/{stage.integration}/reconfirm", None),
        ("POST", f"{integration}/sync", {"mode": "full"}),
        ("GET", f"{integration}/doctor", None),
        ("POST", f"{integration}/doctor/fix", None),
        ("DELETE", integration, None),
    ]


def commands(stage: Stage) -> list[list[str]]:
    integration = str(stage.integration)
    return [
        ["mailchimp", "map-group", integration, str(stage.group_id), "--as", "interest"],
        ["mailchimp", "map-field", "city", "CITY", "--integration", integration],
        ["mailchimp", "reconfirm", str(stage.contact_id), "--integration", integration],
        ["mailchimp", "reconcile", "--integration", integration],
        ["mailchimp", "campaigns", "import", "--integration", integration],
        ["mailchimp", "sync", "--integration", integration],
        ["mailchimp", "doctor", integration, "--fix"],
        ["mailchimp", "remove", integration],
    ]


def page_forms(stage: Stage) -> list[tuple[str, dict[str, str]]]:
    integration = f"/integrations/mailchimp/{stage.integration}"
    return [
        (f"{integration}/mappings/groups/{stage.group_id}", {"target": "interest"}),
        (f"{integration}/merge-fields", {"field": "city", "tag": "CITY"}),
        (f"/contacts/{stage.contact_id}/mailchimp/{stage.integration}/reconfirm", {}),
        (f"{integration}/sync", {"mode": "full"}),
        (f"{integration}/preview", {}),
        (f"{integration}/doctor/fix", {}),
        (f"{integration}/remove", {}),
    ]


# One test a boundary, each on a fresh stage and with its removal last: every failing call waits out the
# client's retries (seconds each), so the three run on whichever test workers are free, side by side.
@pytest.mark.slow
def test_every_rest_route_that_reaches_mailchimp_answers_an_outage_as_problem_json_never_500(
    stage: Stage,
) -> None:
    stage.mailchimp_fails()

    for method, path, body in rest_calls(stage):
        response = stage.api.request(method, path, json=body)
        assert response.status_code < 500 or response.status_code == 502, (path, response.text)
        if response.status_code == 502:
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["detail"].startswith("Mailchimp said:")


@pytest.mark.slow
def test_every_page_form_that_reaches_mailchimp_answers_an_outage_without_500(stage: Stage) -> None:
    stage.mailchimp_fails()

    for form, data in page_forms(stage):
        response = stage.page.submit(form, data)
        assert response.status_code < 500, (form, response.text)


@pytest.mark.slow
def test_every_command_that_reaches_mailchimp_answers_an_outage_in_one_line_without_traceback(
    stage: Stage,
) -> None:
    stage.mailchimp_fails()

    for args in commands(stage):
        result = stage.cli(*args)
        assert result.traceback == "", (args, result.traceback)
        assert "Traceback" not in result.stderr + result.stdout, args
        assert result.exit_code in (0, 1, 3), (args, result.stderr)
        if result.exit_code:  # an error line, the run's outcome, or the command's summary counting it
            said = result.stderr.startswith("error: ") or "Mailchimp said" in result.stdout
            assert said or "1 failure(s)" in result.stdout, (args, result.stderr, result.stdout)
