"""the audience health check: its figures, one column each, and the people behind each line

Revision ID: 0028
Revises: 0019
Create Date: 2026-12-05 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from constituent.kit.db import UTCDateTime

revision = "0028"
down_revision = "0019"
branch_labels = None
depends_on = None

FIGURES = (
    "subscribed",
    "unsubscribed",
    "cleaned",
    "pending",
    "transactional",
    "archived",
    "unowned",
    "archived_by_hand",
    "deleted_there",
    "drifted",
    "refused",
)
KINDS = ("unowned", "archived_by_hand", "deleted_there", "drifted", "refused")


def upgrade() -> None:
    op.create_table(
        "mailchimp_health_checks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "integration_id",
            sa.Integer(),
            sa.ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES),
    )
    op.create_index(
        "ix_mailchimp_health_checks_integration_id", "mailchimp_health_checks", ["integration_id"]
    )
    op.create_table(
        "mailchimp_health_people",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "check_id",
            sa.Integer(),
            sa.ForeignKey("mailchimp_health_checks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="health_kind", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("subscriber_hash", sa.String(32), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("mailchimp_health_people")
    op.drop_table("mailchimp_health_checks")
