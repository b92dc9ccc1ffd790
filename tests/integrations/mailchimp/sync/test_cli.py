"""``constituent mailchimp sync`` as a real process on both databases: JSON shape, exit codes, the guard."""

from __future__ import annotations

import json

import pytest

from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.integrations.mailchimp.sync.sync_helpers import add_people, connect, update_person

SUMMARY_KEYS = {
    "run_id",
    "status",
    "created",
    "updated",
    "archived",
    "tags_added",
    "tags_removed",
    "refused",
    "errors",
    "requests",
}


def test_sync_json_gives_the_run_summary_and_a_rerun_writes_nothing(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org", "bob@mailbox.org")

    first = product.cli_json("mailchimp", "sync", "--integration", str(audience.integration_id))
    second = product.cli_json("mailchimp", "sync")

    assert set(first) == SUMMARY_KEYS
    assert (first["status"], first["created"], first["errors"]) == ("succeeded", 2, 0)
    assert set(first["requests"]) == {"read", "write"} and first["requests"]["write"] == 1
    assert second["run_id"] > first["run_id"]
    assert (second["status"], second["requests"]["write"]) == ("succeeded", 0)
    assert set(audience.members()) == {"ada@mailbox.org", "bob@mailbox.org"}


def test_a_dry_run_prints_the_planned_counts_and_zero_writes(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")

    result = product.cli("mailchimp", "sync", "--dry-run")
    summary = product.cli_json("mailchimp", "sync", "--dry-run", "--full")

    assert result.returncode == 0, result.stderr
    assert "dry run" in result.stdout and "add" in result.stdout and "ada@mailbox.org" in result.stdout
    assert (summary["created"], summary["requests"]["write"]) == (1, 0)
    assert audience.members() == {}


@pytest.mark.slow
def test_the_guard_exits_0_with_what_to_do_and_confirm_removals_goes_ahead(product: Product) -> None:
    audience = connect(product)
    ids = add_people(product, *(f"p{n}@mailbox.org" for n in range(5)))
    product.cli_json("mailchimp", "sync")
    update_person(product, ids[0], is_active=False)

    stopped = product.cli("mailchimp", "sync")
    confirmed = product.cli_json("mailchimp", "sync", "--confirm-removals")

    assert stopped.returncode == 0, stopped.stderr
    assert "needs_confirmation" in stopped.stdout and "--confirm-removals" in stopped.stdout
    assert (confirmed["status"], confirmed["archived"]) == ("succeeded", 1)
    assert audience.member("p0@mailbox.org")["status"] == "archived"


@pytest.mark.slow
def test_every_integration_is_synced_when_none_is_named_and_json_lists_them(product: Product) -> None:
    first, second = connect(product), connect(product)
    add_people(product, "ada@mailbox.org")

    result = product.cli("mailchimp", "sync", "--json")

    assert result.returncode == 0, result.stderr
    summaries = json.loads(result.stdout)
    assert [s["status"] for s in summaries] == ["succeeded", "succeeded"]
    assert set(first.members()) == set(second.members()) == {"ada@mailbox.org"}


def test_an_unknown_integration_is_a_clear_error_with_exit_1(product: Product) -> None:
    result = product.cli("mailchimp", "sync", "--integration", "99")

    assert result.returncode == 1
    assert "Mailchimp integration 99 not found" in result.stderr


def test_a_failed_run_exits_1_and_says_why(product: Product) -> None:
    audience = connect(product)
    add_people(product, "ada@mailbox.org")
    with session_scope(product.db.sessions) as session:
        # The audience was deleted in Mailchimp behind our back.
        session.get(MailchimpIntegration, audience.integration_id).audience_id = "0000000000"  # type: ignore[union-attr]

    result = product.cli("mailchimp", "sync")

    assert result.returncode == 1
    assert "failed" in result.stdout and "Resource Not Found" in result.stdout
