"""the contact search box's indexes: FTS5 trigram tables on SQLite, pg_trgm indexes on PostgreSQL

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 03:20:00
"""

from __future__ import annotations

from alembic import op

from constituent.crm.contacts import search_index

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Fills the indexes from the rows already there (SQLite's 'rebuild'; PostgreSQL builds its indexes).
    search_index.install(op.get_bind())


def downgrade() -> None:
    search_index.uninstall(op.get_bind())
