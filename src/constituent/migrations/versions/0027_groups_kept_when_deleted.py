"""a deleted group is kept (deleted_at), so its members' past memberships are never lost

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-05 08:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from constituent.kit.db import UTCDateTime

revision = "0027"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of groups on SQLite would cascade-delete every membership.
    op.add_column("groups", sa.Column("deleted_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("groups", "deleted_at")
