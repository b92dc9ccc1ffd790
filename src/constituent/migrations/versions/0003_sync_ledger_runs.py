"""sync ledger, runs and run errors; the sync lease on integrations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import constituent.kit.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


MEMBER_STATUS = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived", "forgotten")
RUN_STATUS = ("queued", "running", "succeeded", "failed", "needs_confirmation", "interrupted")


def upgrade() -> None:
    with op.batch_alter_table("mailchimp_integrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", constituent.kit.db.UTCDateTime(), nullable=True))
    _create_ledger()
    _create_runs()
    _create_run_errors()


def _create_ledger() -> None:
    op.create_table(
        "mailchimp_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_hash", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum("mc_member_status", *MEMBER_STATUS), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("archived_by_us", sa.Boolean(), nullable=False),
        sa.Column("refused", sa.Text(), nullable=False),
        sa.Column("last_changed", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.Column("last_synced_at", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_mailchimp_ledger_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["mailchimp_integrations.id"],
            name=op.f("fk_mailchimp_ledger_integration_id_mailchimp_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailchimp_ledger")),
        sa.UniqueConstraint("integration_id", "subscriber_hash", name="uq_mailchimp_ledger_member"),
    )
    op.create_index(
        "ix_mailchimp_ledger_integration_contact",
        "mailchimp_ledger",
        ["integration_id", "contact_id"],
        unique=False,
    )


def _create_runs() -> None:
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("trigger", _enum("sync_run_trigger", "cli", "api", "schedule", "ui"), nullable=False),
        sa.Column("mode", _enum("sync_run_mode", "incremental", "full"), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", _enum("sync_run_status", *RUN_STATUS), nullable=False),
        sa.Column("phase", sa.String(length=30), nullable=False),
        *[
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "created",
                "updated",
                "archived",
                "tags_added",
                "tags_removed",
                "refused",
                "errors",
                "email_changes",
                "requests_read",
                "requests_write",
            )
        ],
        sa.Column("created_at", constituent.kit.db.UTCDateTime(), nullable=False),
        sa.Column("started_at", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.Column("finished_at", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.Column("heartbeat_at", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.Column("cursor", sa.JSON(), nullable=False),
        sa.Column("watermark", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["mailchimp_integrations.id"],
            name=op.f("fk_sync_runs_integration_id_mailchimp_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    op.create_index(op.f("ix_sync_runs_integration_id"), "sync_runs", ["integration_id"], unique=False)


def _create_run_errors() -> None:
    op.create_table(
        "sync_run_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_hash", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["sync_runs.id"], name=op.f("fk_sync_run_errors_run_id_sync_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run_errors")),
    )
    op.create_index(op.f("ix_sync_run_errors_run_id"), "sync_run_errors", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_run_errors_run_id"), table_name="sync_run_errors")
    op.drop_table("sync_run_errors")
    op.drop_index(op.f("ix_sync_runs_integration_id"), table_name="sync_runs")
    op.drop_table("sync_runs")
    op.drop_index("ix_mailchimp_ledger_integration_contact", table_name="mailchimp_ledger")
    op.drop_table("mailchimp_ledger")
    with op.batch_alter_table("mailchimp_integrations", schema=None) as batch_op:
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("lease_owner")
