"""jobs: one queued-or-running sync per integration, schedules

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import constituent.kit.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Older rows may break the new rule (a run left "running" by a killed process): keep the newest.
    op.execute(
        "UPDATE sync_runs SET status = 'interrupted' WHERE status IN ('queued', 'running') "
        "AND id NOT IN (SELECT MAX(id) FROM sync_runs WHERE status IN ('queued', 'running') "
        "GROUP BY integration_id, dry_run)"
    )
    op.create_index(
        "uq_sync_runs_one_active",
        "sync_runs",
        ["integration_id"],
        unique=True,
        sqlite_where=sa.text("status IN ('queued', 'running') AND dry_run = 0"),
        postgresql_where=sa.text("status IN ('queued', 'running') AND NOT dry_run"),
    )
    op.create_table(
        "nightly_runs",
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", constituent.kit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["mailchimp_integrations.id"],
            name=op.f("fk_nightly_runs_integration_id_mailchimp_integrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["sync_runs.id"], name=op.f("fk_nightly_runs_run_id_sync_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("integration_id", "night", name=op.f("pk_nightly_runs")),
    )


def downgrade() -> None:
    op.drop_table("nightly_runs")
    op.drop_index("uq_sync_runs_one_active", table_name="sync_runs")
