"""`constituent mailchimp doctor` through the real emulator: each piece is broken in Mailchimp first,
the doctor finds it and prints its fix, `--fix` repairs the safe ones, and a re-run passes."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from sqlalchemy import select

from constituent.integrations.mailchimp.models import MailchimpSource, SourceTarget
from constituent.kit.runtime import Database
from tests.integrations.mailchimp.doctor.conftest import Mailchimp
from tests.support import cli
from tests.support.emulator import list_body
from tests.support.live_app import free_port, serve_app


def _doctor(mailchimp: Mailchimp, *args: str) -> subprocess.CompletedProcess[str]:
    return mailchimp.live.product.cli("mailchimp", "doctor", str(mailchimp.live.integration_id), *args)


def _checks(mailchimp: Mailchimp, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    result = _doctor(mailchimp, "--json", *args)
    [report] = json.loads(result.stdout)
    return result.returncode, {check["name"]: check for check in report["checks"]}


def test_a_healthy_integration_passes_every_check_and_exits_0(mailchimp: Mailchimp) -> None:
    result = _doctor(mailchimp)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks pass" in result.stdout
    for name in ("credentials", "audience", "merge_fields", "interests", "webhook", "worker", "nightly"):
        assert f"ok     {name}:" in result.stdout
    assert "Mailchimp reaches it" in result.stdout


@pytest.mark.slow
def test_a_deleted_merge_field_interest_and_webhook_are_found_fixed_and_then_pass(
    mailchimp: Mailchimp,
) -> None:
    mailchimp.delete_merge_field("PHONE")
    volunteers = mailchimp.interests()["Volunteers"]
    mailchimp.delete(f"/interest-categories/{mailchimp.category_id()}/interests/{volunteers}")
    [webhook] = mailchimp.webhooks()
    mailchimp.delete(f"/webhooks/{webhook['id']}")

    found = _doctor(mailchimp)

    assert found.returncode == 1
    assert "FAIL   merge_fields: Missing in Mailchimp: PHONE." in found.stdout
    assert "FAIL   interests: Missing in Mailchimp: Volunteers." in found.stdout
    assert "FAIL   webhook: Mailchimp has no webhook of ours on the audience." in found.stdout
    assert found.stdout.count("(--fix applies it)") == 3

    fixed = _doctor(mailchimp, "--fix")

    assert fixed.returncode == 0, fixed.stdout
    assert "fixed  merge_fields: Recreated the missing merge fields" in fixed.stdout
    assert "fixed  webhook: Registered the webhook at" in fixed.stdout
    assert "PHONE" in {f["tag"] for f in mailchimp.get("/merge-fields")["merge_fields"]}
    assert "Volunteers" in mailchimp.interests()
    assert len(mailchimp.webhooks()) == 1
    assert _doctor(mailchimp).returncode == 0


@pytest.mark.slow
def test_a_deleted_interest_category_is_recreated_with_our_interests_under_new_ids(
    mailchimp: Mailchimp,
) -> None:
    old_category = mailchimp.category_id()
    mailchimp.delete(f"/interest-categories/{old_category}")

    code, checks = _checks(mailchimp)
    assert code == 1
    assert (
        checks["interests"]["found"] == "Our interest category 'Constituent groups' is missing in Mailchimp."
    )
    assert checks["interests"]["fixable"] is True

    code, checks = _checks(mailchimp, "--fix")

    assert code == 0, checks
    with mailchimp.live.product.db.sessions() as session:
        source = session.scalars(
            select(MailchimpSource).where(MailchimpSource.target == SourceTarget.interest)
        ).one()
        assert source.interest_id == mailchimp.interests()["Volunteers"]
    assert mailchimp.category_id() != old_category


def test_a_merge_field_of_the_wrong_type_is_found_and_left_for_a_person(mailchimp: Mailchimp) -> None:
    mailchimp.delete_merge_field("PHONE")
    mailchimp.http.post(
        f"{mailchimp.lists}/merge-fields", json={"tag": "PHONE", "name": "Phone", "type": "number"}
    ).raise_for_status()

    code, checks = _checks(mailchimp, "--fix")

    assert code == 1
    assert checks["merge_fields"]["found"] == "PHONE is a number field (we write phone)."
    assert checks["merge_fields"]["fixable"] is False
    assert "delete the mistyped field in Mailchimp" in checks["merge_fields"]["fix"]


@pytest.mark.slow
def test_a_moved_server_gets_the_webhook_registered_at_its_new_address_and_the_old_one_removed(
    mailchimp: Mailchimp,
) -> None:
    live = mailchimp.live
    [old] = mailchimp.webhooks()
    sock = free_port()
    moved = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = live.product.settings.model_copy(update={"base_url": moved})
    env = {**live.product.env(), "CONSTITUENT_BASE_URL": moved}
    database = Database(live.product.db.engine, live.product.db.sessions)

    with serve_app(settings, database, sock):
        found = cli.run(env, "mailchimp", "doctor", str(live.integration_id))
        assert found.returncode == 1
        assert (
            f"It points at {live.url.rsplit('/', 1)[0]}/…, not at this server's address {moved}"
            in found.stdout
        )
        assert live.url.rsplit("/", 1)[1] not in found.stdout, "the webhook's secret is never shown"

        fixed = cli.run(env, "mailchimp", "doctor", str(live.integration_id), "--fix")

        assert fixed.returncode == 0, fixed.stdout
        [new] = mailchimp.webhooks()
        assert new["url"].startswith(moved) and new["id"] != old["id"]

    unreachable = cli.run(env, "mailchimp", "doctor", str(live.integration_id))

    assert unreachable.returncode == 1
    assert f"FAIL   webhook: Mailchimp cannot reach {moved}/webhooks/mailchimp/" in unreachable.stdout
    assert "fix: Make this server reachable from the internet" in unreachable.stdout


def test_changed_webhook_events_are_put_back(mailchimp: Mailchimp) -> None:
    [webhook] = mailchimp.webhooks()
    mailchimp.http.patch(
        f"{mailchimp.lists}/webhooks/{webhook['id']}", json={"events": {"unsubscribe": False}}
    ).raise_for_status()

    code, checks = _checks(mailchimp)
    assert code == 1
    assert checks["webhook"]["found"] == "It no longer listens to the events and sources we registered."

    code, checks = _checks(mailchimp, "--fix")

    assert code == 0, checks
    [webhook] = mailchimp.webhooks()
    assert webhook["events"]["unsubscribe"] is True and webhook["sources"]["api"] is False


@pytest.mark.slow
def test_a_renamed_audience_is_recorded_and_another_audience_is_refused(mailchimp: Mailchimp) -> None:
    renamed = list_body("Renamed")
    renamed["contact"] |= {"state": "IL", "zip": "62701"}  # PATCH's schema asks for the whole address
    mailchimp.http.patch(mailchimp.lists, json=renamed).raise_for_status()

    code, checks = _checks(mailchimp, "--fix")

    assert code == 0, checks
    assert checks["audience"]["found"] == "'Renamed' (" + mailchimp.live.audience.audience_id + ") is there."

    other = mailchimp.http.post("/lists", json=list_body("Another audience")).json()
    mailchimp.live.update_integration(audience_id=other["id"])

    code, checks = _checks(mailchimp, "--fix")

    assert code == 1
    assert "holds none of our settings" in checks["audience"]["found"]
    assert checks["audience"]["fixable"] is False
    assert checks["webhook"]["checked"] is False


@pytest.mark.slow
def test_without_an_id_every_integration_is_examined_and_an_unknown_id_is_one_error_line(
    mailchimp: Mailchimp,
) -> None:
    product = mailchimp.live.product
    every = product.cli("mailchimp", "doctor", "--json")
    assert every.returncode == 0, every.stdout
    assert [r["integration_id"] for r in json.loads(every.stdout)] == [mailchimp.live.integration_id]

    unknown = product.cli("mailchimp", "doctor", "999")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("error: ") and unknown.stderr.count("\n") == 1


def test_refused_credentials_fail_first_and_leave_the_audiences_parts_unchecked(mailchimp: Mailchimp) -> None:
    live = mailchimp.live
    live.update_integration(secret_encrypted=live.product.box.encrypt("0123456789abcdef0123456789abcdef-us1"))

    code, checks = _checks(mailchimp, "--fix")

    assert code == 1
    assert checks["credentials"]["found"].startswith("Mailchimp did not accept these credentials")
    assert checks["credentials"]["fix"] == "Connect the integration again with a valid API key or login."
    for name in ("audience", "merge_fields", "interests", "webhook"):
        assert checks[name]["checked"] is False and checks[name]["passed"] is False
    assert checks["worker"]["passed"] and checks["nightly"]["passed"]
