"""web: CSV import jobs and other page state

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 17:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import constituent.kit.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STATUS = ("queued", "running", "succeeded", "failed")


def upgrade() -> None:
    op.create_table(
        "csv_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUS, name="csv_import_status", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("rows_expected", sa.Integer(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", constituent.kit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", constituent.kit.db.UTCDateTime(), nullable=False),
        sa.Column("finished_at", constituent.kit.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_csv_imports_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csv_imports")),
    )
    with op.batch_alter_table("csv_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csv_imports_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("csv_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csv_imports_status"))
    op.drop_table("csv_imports")
