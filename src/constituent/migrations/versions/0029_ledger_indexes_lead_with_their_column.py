"""the ledger's contact and person indexes lead with their own column, not the integration

A lookup by address ("integration = ? AND subscriber hash IN …") could then only use the (integration,
address) key. Before, PostgreSQL sometimes read every row of the integration through the contact index
and compared each with the page's 500 hashes: while an audience grew faster than its statistics (a
first sync), every page cost the audience so far. Deleting a contact also found its ledger rows without
walking the ledger (the foreign key's SET NULL looks rows up by contact).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 12:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

TABLE = "mailchimp_ledger"


def upgrade() -> None:
    op.drop_index("ix_mailchimp_ledger_integration_contact", table_name=TABLE)
    op.drop_index("ix_mailchimp_ledger_person", table_name=TABLE)
    op.create_index("ix_mailchimp_ledger_contact", TABLE, ["contact_id", "integration_id"])
    op.create_index("ix_mailchimp_ledger_person_id", TABLE, ["mc_contact_id", "integration_id"])


def downgrade() -> None:
    op.drop_index("ix_mailchimp_ledger_person_id", table_name=TABLE)
    op.drop_index("ix_mailchimp_ledger_contact", table_name=TABLE)
    op.create_index("ix_mailchimp_ledger_person", TABLE, ["integration_id", "mc_contact_id"])
    op.create_index("ix_mailchimp_ledger_integration_contact", TABLE, ["integration_id", "contact_id"])
