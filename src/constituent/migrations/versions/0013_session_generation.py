"""users.session_generation: browser sessions end on the server at logout and password change

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-04 23:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    # The server default only fills the users already there; the model gives new rows their value.
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_generation", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
