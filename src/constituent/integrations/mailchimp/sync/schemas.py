"""What the CLI and the API show of a sync run: the summary scripts rely on, and the full run."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.models import (
    RunCounter,
    RunMode,
    RunStatus,
    RunTrigger,
    SyncRun,
    SyncRunError,
)
from constituent.integrations.mailchimp.sync.plan_report import ReportRow


class RequestCounts(BaseModel):
    read: int
    write: int


class RunSummary(BaseModel):
    """The shape of ``constituent mailchimp sync --json`` (a dry run: the counts as planned, 0 writes)."""

    run_id: int
    status: RunStatus
    created: int
    updated: int
    archived: int
    tags_added: int
    tags_removed: int
    refused: int
    errors: int
    requests: RequestCounts

    @classmethod
    def of(cls, run: SyncRun) -> RunSummary:
        return cls(
            run_id=run.id,
            status=run.status,
            **{name: getattr(run, name) for name in _SUMMARY_COUNTERS},
            requests=RequestCounts(read=run.requests_read, write=run.requests_write),
        )


_SUMMARY_COUNTERS = tuple(c for c in RunCounter if c is not RunCounter.email_changes)


class RunErrorOut(BaseModel):
    subscriber_hash: str
    email: str
    contact_id: int | None
    code: str
    message: str

    @classmethod
    def of(cls, error: SyncRunError) -> RunErrorOut:
        return cls(
            subscriber_hash=error.subscriber_hash,
            email=error.email,
            contact_id=error.contact_id,
            code=error.code,
            message=error.message,
        )


class ReportRowOut(BaseModel):
    """One address in a dry run's list: what would happen to it, and why."""

    contact_ids: list[int]
    email: str
    action: str
    changes: list[str]
    message: str

    @classmethod
    def of(cls, row: ReportRow) -> ReportRowOut:
        return cls(
            contact_ids=list(row.contact_ids),
            email=row.email,
            action=row.action,
            changes=list(row.changes),
            message=row.message,
        )


class RunOut(RunSummary):
    integration_id: int
    trigger: RunTrigger
    mode: RunMode
    dry_run: bool
    phase: str
    email_changes: int
    message: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    watermark: datetime | None
    planned: dict[str, int]
    notices: list[str]
    report: list[ReportRowOut]  # dry runs only (the first 1,000 addresses)
    report_total: int

    @classmethod
    def full(cls, run: SyncRun, report: list[ReportRow]) -> RunOut:
        """``report``: the first rows of a dry run's list (``runs.report_of``)."""
        return cls(
            **RunSummary.of(run).model_dump(),
            integration_id=run.integration_id,
            trigger=run.trigger,
            mode=run.mode,
            dry_run=run.dry_run,
            phase=run.phase,
            email_changes=run.email_changes,
            message=run.message,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            heartbeat_at=run.heartbeat_at,
            watermark=run.watermark,
            planned=runs.planned_counts(run),
            notices=runs.notices_of(run),
            report=[ReportRowOut.of(row) for row in report],
            report_total=runs.report_total_of(run),
        )


class RunDetail(RunOut):
    """``GET /sync-runs/{id}``: the run with the members it could not write."""

    member_errors: list[RunErrorOut]


class SyncRequest(BaseModel):
    mode: RunMode = RunMode.incremental
    dry_run: bool = False
    confirm_removals: bool = False
