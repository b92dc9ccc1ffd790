"""covering indexes for saved searches (email domain, current group members)

Revision ID: 0002
Revises: 0100
Create Date: 2026-11-22 15:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.drop_index("ix_emails_domain")
        batch_op.create_index("ix_emails_domain_contact", ["domain", "contact_id"], unique=False)
    with op.batch_alter_table("group_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_group_memberships_group_status")
        batch_op.create_index(
            "ix_group_memberships_group_status_contact", ["group_id", "status", "contact_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("group_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_group_memberships_group_status_contact")
        batch_op.create_index("ix_group_memberships_group_status", ["group_id", "status"], unique=False)
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.drop_index("ix_emails_domain_contact")
        batch_op.create_index("ix_emails_domain", ["domain"], unique=False)
