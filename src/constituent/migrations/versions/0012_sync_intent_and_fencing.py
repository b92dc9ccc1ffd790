"""sync consent under faults: the ledger's intent (written before a request goes out), the lease
generation that fences a run which lost its lease, and the address an upemail moved a member to

Revision ID: 0012
Revises: 0014
Create Date: 2026-12-04 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows were all recorded after their request was answered: no intent ("").
    with op.batch_alter_table("mailchimp_ledger") as batch:
        batch.add_column(sa.Column("intent", sa.String(length=10), nullable=False, server_default=""))
    with op.batch_alter_table("mailchimp_integrations") as batch:
        batch.add_column(sa.Column("lease_generation", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("mailchimp_member_event_clock") as batch:
        batch.add_column(sa.Column("renamed_to", sa.String(length=320), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("mailchimp_member_event_clock") as batch:
        batch.drop_column("renamed_to")
    with op.batch_alter_table("mailchimp_integrations") as batch:
        batch.drop_column("lease_generation")
    with op.batch_alter_table("mailchimp_ledger") as batch:
        batch.drop_column("intent")
