"""saved import mappings: a name, and the field each file column fills

Revision ID: 0024
Revises: 0012
Create Date: 2026-12-05 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from constituent.kit.db import UTCDateTime

revision = "0024"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("saved_by", sa.String(320), nullable=False),
        sa.Column("saved_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "import_mapping_columns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "mapping_id",
            sa.Integer(),
            sa.ForeignKey("import_mappings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(300), nullable=False),
        sa.Column("column_key", sa.String(300), nullable=False),
        sa.Column("field", sa.String(50), nullable=False),
        sa.UniqueConstraint("mapping_id", "column_key"),
    )
    op.create_index("ix_import_mapping_columns_mapping_id", "import_mapping_columns", ["mapping_id"])


def downgrade() -> None:
    op.drop_table("import_mapping_columns")
    op.drop_table("import_mappings")
