"""browser imports: rows skipped or merged, groups not found, columns left out

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-04 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("csv_imports") as batch:
        batch.add_column(sa.Column("merged", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("skipped", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("unknown_groups", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("ignored_columns", sa.JSON(), nullable=False, server_default="[]"))
    # The server defaults only fill the rows already there; the model gives new rows their values.
    with op.batch_alter_table("csv_imports") as batch:
        for column in ("merged", "skipped", "unknown_groups", "ignored_columns"):
            batch.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("csv_imports") as batch:
        for column in ("ignored_columns", "unknown_groups", "skipped", "merged"):
            batch.drop_column(column)
