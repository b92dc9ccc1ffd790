"""every database holds its organization settings row from the start

The row was created on the settings page's first read. Until then a search's quick lists found no row
and fell back to the default threshold, asking the database again each time: a nightly sync of a
database whose settings were never opened read the missing row sixteen times. The row holds the
defaults the code assumed, dated long ago: nothing changed, so no sync takes the quick lists for
redefined.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 19:40:00
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from constituent.kit.db import UTCDateTime

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

# What the code assumed while there was no row (the model's defaults).
DEFAULTS = {
    "id": 1,
    "organization_name": "",
    "street": "",
    "city": "",
    "state": "",
    "postal_code": "",
    "country": "US",
    "phone": "",
    "from_name": "",
    "from_email": "",
    "timezone": "UTC",
    "major_donor_threshold": Decimal("1000"),
    "updated_at": datetime(2000, 1, 1, tzinfo=UTC),
}

SETTINGS = sa.table(
    "organization_settings",
    *(sa.column(name) for name in DEFAULTS if name not in {"updated_at", "major_donor_threshold"}),
    sa.column("major_donor_threshold", sa.Numeric(12, 2)),
    sa.column("updated_at", UTCDateTime()),
)


def upgrade() -> None:
    present = op.get_bind().execute(sa.select(sa.func.count()).select_from(SETTINGS)).scalar_one()
    if not present:
        op.bulk_insert(SETTINGS, [DEFAULTS])


def downgrade() -> None:
    """The row stays: it may hold settings someone saved since."""
