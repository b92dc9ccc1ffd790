"""campaign tracking and reconciliation watermarks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import constituent.kit.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailchimp_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("send_time", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.Column("archive_url", sa.String(length=500), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "scheduled",
                "reading",
                "done",
                "failed",
                name="mc_campaign_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("recipients_read", sa.Integer(), nullable=False),
        sa.Column("recipients_total", sa.Integer(), nullable=False),
        sa.Column("activities_written", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("engagement_read_at", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", constituent.kit.db.UTCDateTime(), nullable=False),
        sa.Column("finished_at", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["mailchimp_integrations.id"],
            name=op.f("fk_mailchimp_campaigns_integration_id_mailchimp_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailchimp_campaigns")),
        sa.UniqueConstraint("integration_id", "campaign_id", name="uq_mailchimp_campaign"),
    )
    op.create_index(
        op.f("ix_mailchimp_campaigns_integration_id"), "mailchimp_campaigns", ["integration_id"], unique=False
    )
    op.create_table(
        "mailchimp_reconcile_state",
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("watermark", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.Column("last_run_at", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.Column("members_read", sa.Integer(), nullable=False),
        sa.Column("events_applied", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["mailchimp_integrations.id"],
            name=op.f("fk_mailchimp_reconcile_state_integration_id_mailchimp_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("integration_id", name=op.f("pk_mailchimp_reconcile_state")),
    )


def downgrade() -> None:
    op.drop_table("mailchimp_reconcile_state")
    op.drop_index(op.f("ix_mailchimp_campaigns_integration_id"), table_name="mailchimp_campaigns")
    op.drop_table("mailchimp_campaigns")
