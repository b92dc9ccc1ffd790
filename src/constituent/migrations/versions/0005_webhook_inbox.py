"""the webhook inbox and inbound processing state

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import constituent.kit.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INBOX_STATUS = ("received", "processed", "failed", "ignored")


def upgrade() -> None:
    op.create_table(
        "mailchimp_webhook_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("received_at", constituent.kit.db.UTCDateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("event_type", sa.String(length=20), nullable=False),
        sa.Column("fired_at", constituent.kit.db.UTCDateTime(), nullable=False),
        sa.Column("subscriber_hash", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *INBOX_STATUS,
                name="webhook_event_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=100), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("processed_at", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["mailchimp_integrations.id"],
            name=op.f("fk_mailchimp_webhook_events_integration_id_mailchimp_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailchimp_webhook_events")),
    )
    op.create_index(
        "ix_mailchimp_webhook_events_pending",
        "mailchimp_webhook_events",
        ["integration_id", "id"],
        unique=False,
        sqlite_where=sa.text("status = 'received'"),
        postgresql_where=sa.text("status = 'received'"),
    )
    op.create_index(
        "ix_mailchimp_webhook_events_integration_status",
        "mailchimp_webhook_events",
        ["integration_id", "status", "id"],
        unique=False,
    )
    op.create_table(
        "mailchimp_member_event_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_hash", sa.String(length=32), nullable=False),
        sa.Column("last_event_at", constituent.kit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["mailchimp_integrations.id"],
            name=op.f("fk_mailchimp_member_event_clock_integration_id_mailchimp_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailchimp_member_event_clock")),
        sa.UniqueConstraint("integration_id", "subscriber_hash", name="uq_mc_member_event_clock"),
    )


def downgrade() -> None:
    op.drop_table("mailchimp_member_event_clock")
    op.drop_index("ix_mailchimp_webhook_events_integration_status", table_name="mailchimp_webhook_events")
    op.drop_index("ix_mailchimp_webhook_events_pending", table_name="mailchimp_webhook_events")
    op.drop_table("mailchimp_webhook_events")
