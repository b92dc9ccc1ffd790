"""Migration 0010 carries each sync run's old ``cursor`` blob over to the typed run state: the request's
confirmation, the progress, and a finished run's plan (counts, layout fingerprint, notices, dry-run
report), so history pages and the next incremental run read the same facts as before."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.plan_report import ReportRow
from constituent.kit import migrate
from tests.conftest import TestDatabase

PLAN = {
    "planned": {"created": 2, "updated": 1, "archived": 0, "tags_added": 3, "refused": 1},
    "notices": ["ada@example.org is shared by 2 contacts"],
    "config": "f" * 32,
    "report": [
        {
            "contact_ids": [7, 9],
            "email": "ada@example.org",
            "action": "add",
            "changes": ["+VIP"],
            "message": "",
        }
    ],
    "report_total": 40,
}
BLOBS: dict[int, dict[str, Any]] = {
    1: {"confirm_removals": True},  # queued by the page with removals confirmed
    2: {"phase": "members", "done": 500, "total": 1200},  # running: the progress
    3: PLAN,  # a finished dry run
    4: {},  # a CLI run that stopped before planning
}


def old_run(db: TestDatabase, run_id: int, integration_id: int, cursor: dict[str, Any]) -> None:
    counters = "created, updated, archived, tags_added, tags_removed, refused, errors, email_changes"
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sync_runs (id, integration_id, trigger, mode, dry_run, status, phase, "
                f"{counters}, requests_read, requests_write, created_at, cursor, message) VALUES "
                "(:id, :integration, 'ui', 'incremental', false, 'succeeded', 'done', "
                "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '2026-11-30 10:00:00', :cursor, '')"
            ),
            {"id": run_id, "integration": integration_id, "cursor": json.dumps(cursor)},
        )


def old_integration(db: TestDatabase) -> int:
    """An integration row as revision 0009 stored it (plain SQL: today's model has later columns)."""
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO mailchimp_integrations (id, name, auth_kind, secret_encrypted, dc, api_base, "
                "account_id, account_name, login_email, audience_id, audience_name, audience_created_by_us, "
                "mode, initial_sync, double_optin, nightly_time, accept_profile_changes, tag_prefix, "
                "removal_guard_percent, webhook_secret_encrypted, webhook_state, webhook_error, last_error, "
                "created_at, updated_at) VALUES (1, 'Audience 0', 'api_key', 'not-used', 'us1', "
                "'http://127.0.0.1:9/3.0', '', '', '', 'list0', '', false, 'all', 'everyone', false, "
                "'02:00', false, '', 10, 'not-used', 'not_registered', '', '', "
                "'2026-11-30 10:00:00', '2026-11-30 10:00:00')"
            )
        )
    return 1


@pytest.mark.slow
def test_old_run_blobs_become_typed_run_state(empty_db: TestDatabase) -> None:
    migrate.upgrade(empty_db.engine, "0009")
    integration = old_integration(empty_db)
    for run_id, blob in BLOBS.items():
        old_run(empty_db, run_id, integration, blob)

    migrate.upgrade(empty_db.engine)

    with empty_db.sessions() as session:
        queued, running, dry, bare = (runs.get(session, run_id) for run_id in BLOBS)
        assert (queued.confirm_removals, running.confirm_removals) == (True, False)
        assert (running.progress_done, running.progress_total) == (500, 1200)
        assert (bare.progress_done, bare.progress_total, bare.plan) == (0, None, None)
        assert runs.planned_counts(dry) == {**dict.fromkeys(runs.PLANNED, 0), **PLAN["planned"]}
        assert runs.layout_config_of(dry) == "f" * 32 and runs.layout_config_of(bare) is None
        assert runs.notices_of(dry) == PLAN["notices"]
        assert runs.report_of(session, dry.id) == [ReportRow((7, 9), "ada@example.org", "add", ("+VIP",), "")]
        assert runs.report_total_of(dry) == 40
        columns = session.execute(text("SELECT * FROM sync_runs WHERE id = 1")).keys()
        assert "cursor" not in columns
