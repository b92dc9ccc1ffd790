"""lifecycle: the ledger remembers a deleted contact's member; tags left on members

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import constituent.kit.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mailchimp_ledger") as batch:
        batch.add_column(sa.Column("last_contact_id", sa.Integer(), nullable=True))
    # Every member synced so far was synced for the contact it carries.
    op.execute("UPDATE mailchimp_ledger SET last_contact_id = contact_id")
    op.create_table(
        "mailchimp_left_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", constituent.kit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["mailchimp_integrations.id"],
            name=op.f("fk_mailchimp_left_tags_integration_id_mailchimp_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailchimp_left_tags")),
        sa.UniqueConstraint("integration_id", "name", name="uq_mc_left_tag"),
    )


def downgrade() -> None:
    op.drop_table("mailchimp_left_tags")
    with op.batch_alter_table("mailchimp_ledger") as batch:
        batch.drop_column("last_contact_id")
