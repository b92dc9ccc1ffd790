"""merge-field mappings (contact fields onto Mailchimp merge fields)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import constituent.kit.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailchimp_merge_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("contact_field", sa.String(length=50), nullable=False),
        sa.Column("tag", sa.String(length=10), nullable=False),
        sa.Column("merge_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("created_at", constituent.kit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["mailchimp_integrations.id"],
            name=op.f("fk_mailchimp_merge_fields_integration_id_mailchimp_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailchimp_merge_fields")),
        sa.UniqueConstraint("integration_id", "contact_field", name="uq_mc_merge_field_field"),
        sa.UniqueConstraint("integration_id", "tag", name="uq_mc_merge_field_tag"),
    )
    with op.batch_alter_table("mailchimp_merge_fields", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mailchimp_merge_fields_integration_id"), ["integration_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mailchimp_merge_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mailchimp_merge_fields_integration_id"))
    op.drop_table("mailchimp_merge_fields")
