"""Migration 0019 lets a run be a "first sync" and end "cancelled", keeping every run and its plan (a
copy of ``sync_runs`` on SQLite would have cascade-deleted the plans), and still refuses other values."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from constituent.kit import migrate
from tests.conftest import TestDatabase
from tests.kit.test_migration_0010 import old_integration

COUNTERS = "created, updated, archived, tags_added, tags_removed, refused, errors, email_changes"


def _run(db: TestDatabase, run_id: int, trigger: str, status: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO sync_runs (id, integration_id, "trigger", mode, dry_run, status, phase, '
                f"{COUNTERS}, requests_read, requests_write, created_at, message) VALUES "
                "(:id, 1, :trigger, 'incremental', false, :status, 'done', "
                "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '2026-11-30 10:00:00', '')"
            ),
            {"id": run_id, "trigger": trigger, "status": status},
        )


def _plan(db: TestDatabase, run_id: int) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO sync_run_plans (run_id, {COUNTERS.replace(', errors', '')}, layout_config, "
                "report_total) VALUES (:id, 1, 0, 0, 0, 0, 0, 0, 'abc', 0)"
            ),
            {"id": run_id},
        )


@pytest.mark.slow
def test_a_run_may_be_a_first_sync_or_cancelled_after_the_migration_and_old_runs_keep_their_plans(
    empty_db: TestDatabase,
) -> None:
    migrate.upgrade(empty_db.engine, "0027")
    old_integration(empty_db)
    _run(empty_db, 1, "ui", "succeeded")
    _plan(empty_db, 1)
    with pytest.raises(IntegrityError):
        _run(empty_db, 2, "first_sync", "succeeded")

    migrate.upgrade(empty_db.engine)

    _run(empty_db, 2, "first_sync", "cancelled")
    with pytest.raises(IntegrityError):
        _run(empty_db, 3, "nightly", "succeeded")
    with pytest.raises(IntegrityError):
        _run(empty_db, 3, "ui", "gone")
    with empty_db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM sync_run_plans")).scalar_one() == 1
        rows = connection.execute(text('SELECT "trigger", status FROM sync_runs ORDER BY id')).all()
    assert [tuple(row) for row in rows] == [("ui", "succeeded"), ("first_sync", "cancelled")]
