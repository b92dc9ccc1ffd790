"""the ledger keeps Mailchimp's id of the person (contact_id), which survives an address change there

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-05 07:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (a batch copy of the ledger on SQLite is never needed for a new column).
    op.add_column(
        "mailchimp_ledger",
        sa.Column("mc_contact_id", sa.String(50), nullable=False, server_default=""),
    )
    op.create_index("ix_mailchimp_ledger_person", "mailchimp_ledger", ["integration_id", "mc_contact_id"])


def downgrade() -> None:
    op.drop_index("ix_mailchimp_ledger_person", table_name="mailchimp_ledger")
    op.drop_column("mailchimp_ledger", "mc_contact_id")
