"""reconciliation: a second watermark for the opt-in query

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 18:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import constituent.kit.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mailchimp_reconcile_state") as batch:
        batch.add_column(sa.Column("optin_watermark", constituent.kit.db.UTCDateTime(), nullable=True))
    # Until now one watermark served both queries: the opt-in query carries on from where it was.
    op.execute("UPDATE mailchimp_reconcile_state SET optin_watermark = watermark")


def downgrade() -> None:
    with op.batch_alter_table("mailchimp_reconcile_state") as batch:
        batch.drop_column("optin_watermark")
