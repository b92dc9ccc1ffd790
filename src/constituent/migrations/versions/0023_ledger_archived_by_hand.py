"""the ledger remembers a member archived by hand in Mailchimp while it was subscribed (restorable)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of the ledger on SQLite is never needed for a new column.
    op.add_column(
        "mailchimp_ledger",
        sa.Column("archived_by_hand", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("mailchimp_ledger", "archived_by_hand")
