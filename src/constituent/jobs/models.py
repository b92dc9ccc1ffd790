"""The jobs' tables: one claimed night per integration, and the rule "one queued-or-running run"."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from constituent.integrations.mailchimp.sync.models import SyncRun
from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime

# A Force Sync or Resync pressed while a run of that integration is queued or running must get that
# run back: the database decides, with a partial unique index (dry runs write nothing and are exempt).
ACTIVE_RUN_SQLITE = text("status IN ('queued', 'running') AND dry_run = 0")
ACTIVE_RUN_POSTGRESQL = text("status IN ('queued', 'running') AND NOT dry_run")
ONE_ACTIVE_RUN = Index(
    "uq_sync_runs_one_active",
    SyncRun.integration_id,
    unique=True,
    sqlite_where=ACTIVE_RUN_SQLITE,
    postgresql_where=ACTIVE_RUN_POSTGRESQL,
)


class NightlyRun(Base):
    """The night an integration's nightly run was claimed for; inserting the row is the claim.

    The primary key makes two schedulers racing over the same minute agree: one insert wins.
    """

    __tablename__ = "nightly_runs"

    integration_id: Mapped[int] = mapped_column(
        ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"), primary_key=True
    )
    night: Mapped[date] = mapped_column(Date, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
