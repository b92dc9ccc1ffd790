"""sync runs: typed run state instead of the ``cursor`` JSON blob

The blob held five unrelated things; a page's progress overwrote the person's confirmation. Now:
``confirm_removals`` and ``progress_done`` / ``progress_total`` on the run, and the plan a run made in
``sync_run_plans`` (counts, layout fingerprint, report size) with ``sync_run_notices`` and
``sync_run_report_rows``. Existing rows are carried over from their blob before it is dropped.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 22:40:00
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PLANNED = ("created", "updated", "archived", "tags_added", "tags_removed", "refused", "email_changes")


def upgrade() -> None:
    # Plain ALTER TABLE, never a batch copy: on SQLite a copy drops and re-creates sync_runs, which
    # would cascade-delete its errors and lose the partial one-active-run index.
    op.add_column(
        "sync_runs", sa.Column("confirm_removals", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("sync_runs", sa.Column("progress_done", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("sync_runs", sa.Column("progress_total", sa.Integer(), nullable=True))
    _create_plans()
    _carry_over(op.get_bind())
    op.drop_column("sync_runs", "cursor")


def _create_plans() -> None:
    op.create_table(
        "sync_run_plans",
        sa.Column("run_id", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in PLANNED],
        sa.Column("layout_config", sa.String(length=64), nullable=False),
        sa.Column("report_total", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["sync_runs.id"], name=op.f("fk_sync_run_plans_run_id_sync_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_sync_run_plans")),
    )
    op.create_table(
        "sync_run_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        _plan_key("sync_run_notices"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run_notices")),
    )
    op.create_index(op.f("ix_sync_run_notices_run_id"), "sync_run_notices", ["run_id"], unique=False)
    op.create_table(
        "sync_run_report_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("contact_ids", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        _plan_key("sync_run_report_rows"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run_report_rows")),
    )
    op.create_index(op.f("ix_sync_run_report_rows_run_id"), "sync_run_report_rows", ["run_id"], unique=False)


def _plan_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["run_id"],
        ["sync_run_plans.run_id"],
        name=op.f(f"fk_{table}_run_id_sync_run_plans"),
        ondelete="CASCADE",
    )


_runs = sa.table(
    "sync_runs",
    sa.column("id", sa.Integer()),
    sa.column("cursor", sa.JSON()),
    sa.column("confirm_removals", sa.Boolean()),
    sa.column("progress_done", sa.Integer()),
    sa.column("progress_total", sa.Integer()),
)
_plans = sa.table(
    "sync_run_plans",
    sa.column("run_id", sa.Integer()),
    *[sa.column(name, sa.Integer()) for name in PLANNED],
    sa.column("layout_config", sa.String()),
    sa.column("report_total", sa.Integer()),
)
_notices = sa.table(
    "sync_run_notices",
    sa.column("run_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("message", sa.Text()),
)
_report_rows = sa.table(
    "sync_run_report_rows",
    sa.column("run_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("email", sa.String()),
    sa.column("action", sa.String()),
    sa.column("contact_ids", sa.JSON()),
    sa.column("changes", sa.JSON()),
    sa.column("message", sa.Text()),
)


def _carry_over(connection: sa.Connection) -> None:
    """Each run's blob, read as the old code wrote it: a request ({"confirm_removals"}), then progress
    ({"phase", "done", "total"}) while running, then the plan ({"planned", "notices", "config", and for
    dry runs "report", "report_total"}) once finished."""
    for run_id, raw in connection.execute(sa.select(_runs.c.id, _runs.c.cursor)).all():
        cursor = _as_dict(raw)
        connection.execute(
            _runs.update()
            .where(_runs.c.id == run_id)
            .values(
                confirm_removals=bool(cursor.get("confirm_removals")),
                progress_done=int(cursor.get("done") or 0),
                progress_total=None if cursor.get("total") is None else int(cursor["total"]),
            )
        )
        if "planned" in cursor:
            _carry_plan(connection, run_id, cursor)


def _carry_plan(connection: sa.Connection, run_id: int, cursor: dict[str, Any]) -> None:
    planned = cursor.get("planned") or {}
    connection.execute(
        _plans.insert().values(
            run_id=run_id,
            **{name: int(planned.get(name, 0)) for name in PLANNED},
            layout_config=str(cursor.get("config") or "")[:64],
            report_total=int(cursor.get("report_total") or 0),
        )
    )
    notices = [
        {"run_id": run_id, "position": i, "message": str(m)}
        for i, m in enumerate(cursor.get("notices") or [])
    ]
    if notices:
        connection.execute(_notices.insert(), notices)
    rows = [_report_row(run_id, i, row) for i, row in enumerate(cursor.get("report") or [])]
    if rows:
        connection.execute(_report_rows.insert(), rows)


def _report_row(run_id: int, position: int, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "position": position,
        "email": str(row.get("email", "")),
        "action": str(row.get("action", ""))[:20],
        "contact_ids": [int(i) for i in row.get("contact_ids") or []],
        "changes": [str(c) for c in row.get("changes") or []],
        "message": str(row.get("message", "")),
    }


def _as_dict(raw: Any) -> dict[str, Any]:
    value = json.loads(raw) if isinstance(raw, str) else raw
    return value if isinstance(value, dict) else {}


def downgrade() -> None:
    """Back to the blob, keeping each run's confirmation (plans and progress are not carried back)."""
    op.add_column("sync_runs", sa.Column("cursor", sa.JSON(), nullable=False, server_default="{}"))
    op.execute("UPDATE sync_runs SET cursor = '{\"confirm_removals\": true}' WHERE confirm_removals")
    op.drop_index(op.f("ix_sync_run_report_rows_run_id"), table_name="sync_run_report_rows")
    op.drop_table("sync_run_report_rows")
    op.drop_index(op.f("ix_sync_run_notices_run_id"), table_name="sync_run_notices")
    op.drop_table("sync_run_notices")
    op.drop_table("sync_run_plans")
    for column in ("progress_total", "progress_done", "confirm_removals"):
        op.drop_column("sync_runs", column)
