"""The sync engine's tables: the ledger (what Mailchimp holds, per member), runs and their errors."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from constituent.crm.contacts.models import _enum
from constituent.integrations.mailchimp.sync.types import RemoteStatus
from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime, one_database_index


def _dialect_indexes(name: str, column: str) -> tuple[Index, Index]:
    """The index on ``column`` alone on PostgreSQL, and on (``column``, integration) on SQLite."""
    return (
        one_database_index(name, column, dialect="postgresql"),
        one_database_index(name, column, "integration_id", dialect="sqlite"),
    )


class LedgerRow(Base):
    """One member of one integration's audience as we last saw or wrote it."""

    __tablename__ = "mailchimp_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"))
    subscriber_hash: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(320))
    # The contact whose data the member carries; kept (as NULL) when the contact is deleted.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    # Whose member we last synced it as. No foreign key on purpose: it outlives the contact, so a
    # deleted contact's member is still known as ours and archived by the next sync.
    last_contact_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[RemoteStatus] = mapped_column(_enum(RemoteStatus, "mc_member_status"))
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # only tags we own
    archived_by_us: Mapped[bool] = mapped_column(Boolean, default=False)
    refused: Mapped[str] = mapped_column(Text, default="")
    # A write sent whose answer is not recorded yet (see types.Intent): "" once the answer is stored.
    intent: Mapped[str] = mapped_column(String(10), server_default="")
    last_changed: Mapped[datetime | None] = mapped_column(UTCDateTime())  # Mailchimp's last_changed
    # Mailchimp's id of the person, kept through an address change there ("" while unknown).
    mc_contact_id: Mapped[str] = mapped_column(String(50), default="", server_default="")
    # Archived by someone in Mailchimp while subscribed or pending to us: restorable on request.
    archived_by_hand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("integration_id", "subscriber_hash", name="uq_mailchimp_ledger_member"),
        # The contact and person indexes lead with their own column, so a lookup by address can only
        # start from the (integration, address) key. On PostgreSQL they hold that column alone: it can
        # still use an index's second column by walking the whole index, and did so (for each address)
        # whenever the statistics said the ledger had no rows (a first sync, or an emptied ledger analysed
        # before its dead rows were removed: test_ledger_plans.py); a contact or a person is in one
        # audience or a few, so finding their rows by this column alone costs nothing more. SQLite keeps
        # the integration second: without it, "integration = ? AND contact IN (…)" went by the key and
        # read the whole audience (tests/kit/test_keyed.py).
        *_dialect_indexes("ix_mailchimp_ledger_contact", "contact_id"),
        *_dialect_indexes("ix_mailchimp_ledger_person_id", "mc_contact_id"),
    )


class MemberUntick(Base):
    """An interest a member unticked herself in Mailchimp: no sync ticks it again (planner rule); her
    ticking it again there removes the row."""

    __tablename__ = "mailchimp_member_unticks"
    __table_args__ = (UniqueConstraint("integration_id", "subscriber_hash", "interest_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"))
    subscriber_hash: Mapped[str] = mapped_column(String(32))
    interest_id: Mapped[str] = mapped_column(String(32))
    unticked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RunTrigger(enum.StrEnum):
    cli = "cli"
    api = "api"
    schedule = "schedule"
    ui = "ui"
    # The integration's first run: only when the admin starts it (page button, Add form, CLI, API);
    # the nightly schedule waits for it (migration 0019).
    first_sync = "first_sync"


class RunMode(enum.StrEnum):
    incremental = "incremental"
    full = "full"


class RunStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    needs_confirmation = "needs_confirmation"
    interrupted = "interrupted"
    # The integration was removed while the run was under way (never stored: its runs go with it).
    cancelled = "cancelled"


FINISHED_STATUSES = frozenset(
    {
        RunStatus.succeeded,
        RunStatus.failed,
        RunStatus.needs_confirmation,
        RunStatus.interrupted,
        RunStatus.cancelled,
    }
)


class RunCounter(enum.StrEnum):
    """A run's counters, in the order reports show them; each is a column of ``sync_runs`` of that name."""

    created = "created"
    updated = "updated"
    archived = "archived"
    tags_added = "tags_added"
    tags_removed = "tags_removed"
    refused = "refused"
    errors = "errors"
    email_changes = "email_changes"


COUNTERS = tuple(RunCounter)


class PlannedCounters:
    """The counters a plan predicts and a run counts (what it did): one set of columns for both."""

    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[int] = mapped_column(Integer, default=0)
    tags_added: Mapped[int] = mapped_column(Integer, default=0)
    tags_removed: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    email_changes: Mapped[int] = mapped_column(Integer, default=0)


class SyncRun(PlannedCounters, Base):
    """One sync of one integration: the truth about it (the queue only carries the request)."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"), index=True
    )
    trigger: Mapped[RunTrigger] = mapped_column(_enum(RunTrigger, "sync_run_trigger"))
    mode: Mapped[RunMode] = mapped_column(_enum(RunMode, "sync_run_mode"))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "sync_run_status"), default=RunStatus.queued)
    phase: Mapped[str] = mapped_column(String(30), default="")
    errors: Mapped[int] = mapped_column(Integer, default=0)
    requests_read: Mapped[int] = mapped_column(Integer, default=0)
    requests_write: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the person asked for: part of the request, never changed by the run's progress.
    confirm_removals: Mapped[bool] = mapped_column(Boolean, default=False)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)  # writes settled so far
    progress_total: Mapped[int | None] = mapped_column(Integer)  # writes planned; None until planned
    # The `since` this run used to find changed contacts; the next incremental run starts from here.
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(Text, default="")

    # The plan the run made (none until it planned), with its notices and dry-run report.
    plan: Mapped[SyncRunPlan | None] = relationship(
        lazy="selectin", cascade="all, delete-orphan", passive_deletes=True
    )

    def counters(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in COUNTERS}


class SyncRunPlan(PlannedCounters, Base):
    """What a run planned: the counts, the layout it planned with, and (dry runs) how many addresses
    its report covers."""

    __tablename__ = "sync_run_plans"

    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"), primary_key=True)
    # The layout's fingerprint: the next incremental run rebuilds every member when it differs.
    layout_config: Mapped[str] = mapped_column(String(64), default="")
    report_total: Mapped[int] = mapped_column(Integer, default=0)  # addresses in the dry-run list
    notices: Mapped[list[SyncRunNotice]] = relationship(
        lazy="selectin", order_by="SyncRunNotice.position", cascade="all, delete-orphan", passive_deletes=True
    )


class SyncRunNotice(Base):
    """Something the run noticed while planning (e.g. contacts sharing an address), for a person."""

    __tablename__ = "sync_run_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_run_plans.run_id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)


class SyncRunReportRow(Base):
    """One address in a dry run's list (every one: the preview pages and filters them in the database)."""

    __tablename__ = "sync_run_report_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_run_plans.run_id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    email: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(20))
    contact_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text, default="")


class SyncRunError(Base):
    """A member a run could not write, with Mailchimp's reason (readable and downloadable as CSV)."""

    __tablename__ = "sync_run_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True)
    subscriber_hash: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    contact_id: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str] = mapped_column(Text, default="")
