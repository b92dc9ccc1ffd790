"""on PostgreSQL, the ledger's contact and person indexes hold their own column only

Migration 0029 put the integration second in them, so a lookup by address ("integration = ? AND
subscriber hash = ?") could not start from them. PostgreSQL can still use an index's second column by
walking the whole index; it did so when the ledger's statistics said the table was empty (an audience
deleted, the ledger analysed before its dead rows were removed, another audience connected): each
address of a page walked the person index, and one read of 500 addresses ran for over 49 seconds.
Without the integration in them, the (integration, address) key is the only index such a lookup can use.
SQLite keeps them as they are: it cannot walk an index by its second column, and it needs the integration
there to find a contact's rows by the contact index rather than by the key.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

TABLE = "mailchimp_ledger"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.drop_index("ix_mailchimp_ledger_person_id", table_name=TABLE)
    op.drop_index("ix_mailchimp_ledger_contact", table_name=TABLE)
    op.create_index("ix_mailchimp_ledger_contact", TABLE, ["contact_id"])
    op.create_index("ix_mailchimp_ledger_person_id", TABLE, ["mc_contact_id"])


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.drop_index("ix_mailchimp_ledger_person_id", table_name=TABLE)
    op.drop_index("ix_mailchimp_ledger_contact", table_name=TABLE)
    op.create_index("ix_mailchimp_ledger_contact", TABLE, ["contact_id", "integration_id"])
    op.create_index("ix_mailchimp_ledger_person_id", TABLE, ["mc_contact_id", "integration_id"])
