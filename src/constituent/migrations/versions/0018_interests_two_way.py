"""two-way interests: the interests members unticked themselves, and whether their groups follow

Revision ID: 0018
Revises: 0025
Create Date: 2026-12-05 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from constituent.kit.db import UTCDateTime

revision = "0018"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing integrations follow their members' choices, as new ones do (the server default fills them).
    # A plain ADD COLUMN: a batch copy of this table on SQLite would cascade-delete its runs and ledger.
    op.add_column(
        "mailchimp_integrations",
        sa.Column("interests_follow_members", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "mailchimp_member_unticks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "integration_id",
            sa.Integer(),
            sa.ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("subscriber_hash", sa.String(32), nullable=False),
        sa.Column("interest_id", sa.String(32), nullable=False),
        sa.Column("unticked_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("integration_id", "subscriber_hash", "interest_id"),
    )


def downgrade() -> None:
    op.drop_table("mailchimp_member_unticks")
    with op.batch_alter_table("mailchimp_integrations") as batch:
        batch.drop_column("interests_follow_members")
