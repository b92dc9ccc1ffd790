"""Sync runs (queries only): the row that is the truth about a run, its counters, its error list and
the plan it made. The run's state is typed columns and child rows owned here: the request
(``confirm_removals``), the progress (``progress_done`` / ``progress_total``) and the plan
(``PlanSummary``: counts, layout fingerprint, notices, dry-run report) never share a field, so writing
one can never drop another."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Exists, Select, delete, func, insert, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from constituent.crm.errors import NotFound
from constituent.integrations.mailchimp.sync.models import (
    RunCounter,
    RunMode,
    RunStatus,
    RunTrigger,
    SyncRun,
    SyncRunError,
    SyncRunNotice,
    SyncRunPlan,
    SyncRunReportRow,
)
from constituent.integrations.mailchimp.sync.plan_report import PlanCounts, ReportRow
from constituent.integrations.mailchimp.sync.types import MemberError

REPORT_CHUNK = 2000  # dry-run rows a statement
REPORT_SHOWN = 1000  # rows the API's run and the CLI's summary list by default


def create(
    session: Session,
    integration_id: int,
    *,
    trigger: RunTrigger,
    mode: RunMode,
    dry_run: bool,
    now: datetime,
    queued: bool = False,
    confirm_removals: bool = False,
) -> SyncRun:
    """A new run row: running from ``now``, or ``queued`` (not started; ``heartbeat_at`` then says when it
    was handed to the queue). The integration's first run that writes is a ``first_sync``, whoever
    started it (the page's button, the Add form, the CLI, the API)."""
    if not dry_run and not has_synced(session, integration_id):
        trigger = RunTrigger.first_sync
    run = SyncRun(
        integration_id=integration_id,
        trigger=trigger,
        mode=mode,
        dry_run=dry_run,
        status=RunStatus.queued if queued else RunStatus.running,
        phase="queued" if queued else "starting",
        created_at=now,
        started_at=None if queued else now,
        heartbeat_at=now,
        confirm_removals=confirm_removals,
        message="",
    )
    session.add(run)
    session.flush()
    return run


def has_synced(session: Session, integration_id: int) -> bool:
    """Whether the integration's first sync was started: it ever had a run that writes (any outcome).
    Until then nothing is sent on a schedule and the page offers "Start the first sync"."""
    return bool(session.scalar(select(first_sync_started(integration_id))))


def first_sync_started(integration_id: ColumnElement[int] | InstrumentedAttribute[int] | int) -> Exists:
    """The condition of ``has_synced``, for a query over integrations (the nightly schedule's)."""
    return (
        select(SyncRun.id)
        .where(SyncRun.integration_id == integration_id, SyncRun.dry_run.is_(False))
        .exists()
    )


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """What a run planned, as stored on it once it has planned."""

    counts: PlanCounts
    layout_config: str  # the layout's fingerprint, compared by the next incremental run
    notices: Sequence[str] = ()
    report: Sequence[ReportRow] = ()  # dry runs: the first rows of the per-address list
    report_total: int = 0  # every address the dry run would touch (the list may be cut short)


def record_plan(session: Session, run_id: int, summary: PlanSummary) -> None:
    """Store the plan of a run (once it has planned every slice; a dry run's list may be there already,
    ``add_report``)."""
    plan = _plan_row(session, run_id)
    for name, value in summary.counts.as_dict().items():
        setattr(plan, name, value)
    plan.layout_config = summary.layout_config
    plan.report_total = summary.report_total
    plan.notices = [SyncRunNotice(position=i, message=m) for i, m in enumerate(summary.notices)]
    session.flush()
    add_report(session, run_id, 0, summary.report)


def add_report(session: Session, run_id: int, start: int, rows: Sequence[ReportRow]) -> None:
    """Append a dry run's per-address rows from position ``start`` (a run lists them slice by slice);
    the first rows of a preview drop every older preview's list (``_forget_older_reports``)."""
    if not rows:
        return
    if start == 0:
        _plan_row(session, run_id)
        _forget_older_reports(session, run_id)
    values = [_report_row(run_id, start + i, row) for i, row in enumerate(rows)]
    for first in range(0, len(values), REPORT_CHUNK):
        session.execute(insert(SyncRunReportRow), values[first : first + REPORT_CHUNK])


def _plan_row(session: Session, run_id: int) -> SyncRunPlan:
    plan = session.get(SyncRunPlan, run_id)
    if plan is None:
        plan = SyncRunPlan(run_id=run_id, layout_config="", report_total=0)
        session.add(plan)
        session.flush()
    return plan


def _forget_older_reports(session: Session, run_id: int) -> None:
    """Only the integration's newest preview keeps its per-address list: it holds every address of the
    audience, and runs are kept for good (a daily preview of 100,000 members would add 100,000 rows a day).
    An older preview keeps its counts; its page says a newer one replaced the list."""
    integration = select(SyncRun.integration_id).where(SyncRun.id == run_id).scalar_subquery()
    older = select(SyncRun.id).where(SyncRun.integration_id == integration, SyncRun.id != run_id)
    session.execute(delete(SyncRunReportRow).where(SyncRunReportRow.run_id.in_(older)))


def _report_row(run_id: int, position: int, row: ReportRow) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "position": position,
        "email": row.email,
        "action": row.action,
        "contact_ids": list(row.contact_ids),
        "changes": list(row.changes),
        "message": row.message,
    }


def planned_counts(run: SyncRun) -> dict[str, int]:
    """The counts the run planned, by counter name; empty before it planned."""
    return {name: int(getattr(run.plan, name)) for name in PLANNED} if run.plan else {}


def notices_of(run: SyncRun) -> list[str]:
    return [notice.message for notice in run.plan.notices] if run.plan else []


def report_of(
    session: Session,
    run_id: int,
    *,
    limit: int = REPORT_SHOWN,
    offset: int = 0,
    action: str = "",
    address: str = "",
) -> list[ReportRow]:
    """A page of a dry run's list, in plan order: only ``action`` changes, only addresses containing
    ``address`` (any case), when given. The filters apply to the whole list, in the database."""
    ordered = _report_rows(run_id, action, address).order_by(SyncRunReportRow.position)
    query = ordered.limit(limit).offset(offset)
    return [
        ReportRow(tuple(r.contact_ids), r.email, r.action, tuple(r.changes), r.message)
        for r in session.scalars(query)
    ]


def report_matching(session: Session, run_id: int, *, action: str = "", address: str = "") -> int:
    """How many addresses of a dry run's list the same filters keep."""
    query = _report_rows(run_id, action, address).with_only_columns(func.count())
    return session.scalar(query) or 0


def _report_rows(run_id: int, action: str, address: str) -> Select[SyncRunReportRow]:
    query = select(SyncRunReportRow).where(SyncRunReportRow.run_id == run_id)
    if action:
        query = query.where(SyncRunReportRow.action == action)
    if address.strip():
        query = query.where(
            func.lower(SyncRunReportRow.email).contains(address.strip().lower(), autoescape=True)
        )
    return query


def report_total_of(run: SyncRun) -> int:
    return run.plan.report_total if run.plan else 0


def layout_config_of(run: SyncRun) -> str | None:
    """The layout fingerprint the run planned with; None when unknown (the next run rebuilds all)."""
    return run.plan.layout_config if run.plan else None


PLANNED = tuple(PlanCounts.__dataclass_fields__)


def get(session: Session, run_id: int) -> SyncRun:
    run = find(session, run_id)
    if run is None:
        raise NotFound("sync run", run_id)
    return run


def find(session: Session, run_id: int) -> SyncRun | None:
    """The run row, or None once it is gone (its integration was removed: runs go with it)."""
    return session.get(SyncRun, run_id)


CANCELLED_MESSAGE = "the integration was removed"


def cancelled(run_id: int, integration_id: int, trigger: RunTrigger, mode: RunMode, dry_run: bool) -> SyncRun:
    """What a run whose integration was removed under it ended as. Never stored: removing an integration
    deletes its run history, so this row only tells the worker's log and the CLI how the run ended."""
    return SyncRun(
        id=run_id,
        integration_id=integration_id,
        trigger=trigger,
        mode=mode,
        dry_run=dry_run,
        status=RunStatus.cancelled,
        phase="done",
        message=CANCELLED_MESSAGE,
        errors=0,
        requests_read=0,
        requests_write=0,
        confirm_removals=False,
        progress_done=0,
        **dict.fromkeys(PLANNED, 0),
    )


def list_for_integration(session: Session, integration_id: int, *, limit: int = 50) -> Sequence[SyncRun]:
    query = (
        select(SyncRun)
        .where(SyncRun.integration_id == integration_id)
        .order_by(SyncRun.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def last_succeeded(session: Session, integration_id: int) -> SyncRun | None:
    """The latest run that wrote everything it planned (dry runs write nothing, so they do not count)."""
    query = (
        select(SyncRun)
        .where(
            SyncRun.integration_id == integration_id,
            SyncRun.status == RunStatus.succeeded,
            SyncRun.dry_run.is_(False),
        )
        .order_by(SyncRun.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def latest_for_integration(session: Session, integration_id: int) -> SyncRun | None:
    runs = list_for_integration(session, integration_id, limit=1)
    return runs[0] if runs else None


def add_counts(session: Session, run_id: int, counts: Mapping[RunCounter, int], **values: Any) -> None:
    """Add to the counters in the database itself, so concurrent pages never lose an increment (a name
    that is no counter fails here, loudly, instead of being dropped); ``values`` are set in the same
    statement."""
    columns = {RunCounter(name).value: n for name, n in counts.items() if n}
    deltas = {column: getattr(SyncRun, column) + n for column, n in columns.items()}
    if deltas or values:
        session.execute(update(SyncRun).where(SyncRun.id == run_id).values({**values, **deltas}))


def set_fields(session: Session, run_id: int, **values: Any) -> None:
    session.execute(update(SyncRun).where(SyncRun.id == run_id).values(values))


def finish(session: Session, run_id: int, **values: Any) -> bool:
    """Write a run's outcome only while it is still running (compare-and-set): a run another took over
    and marked interrupted is never turned into "failed" or "succeeded" by its late first owner."""
    result = session.execute(
        update(SyncRun).where(SyncRun.id == run_id, SyncRun.status == RunStatus.running).values(values)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def add_errors(session: Session, run_id: int, errors: Sequence[MemberError]) -> None:
    session.add_all(
        SyncRunError(
            run_id=run_id,
            subscriber_hash=e.subscriber_hash,
            email=e.email,
            contact_id=e.contact_id,
            code=e.code[:100],
            message=e.message,
        )
        for e in errors
    )
    session.flush()


def errors_of(session: Session, run_id: int) -> Sequence[SyncRunError]:
    query = select(SyncRunError).where(SyncRunError.run_id == run_id).order_by(SyncRunError.id)
    return session.scalars(query).all()


def interrupt_abandoned(session: Session, integration_id: int, now: datetime) -> int:
    """Runs still marked running when their integration's lease is free were killed mid-way."""
    result = session.execute(
        update(SyncRun)
        .where(SyncRun.integration_id == integration_id, SyncRun.status == RunStatus.running)
        .values(
            status=RunStatus.interrupted,
            finished_at=now,
            message="the process stopped before the run finished; the next run resumes from the ledger",
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def queued_for(session: Session, integration_id: int) -> SyncRun | None:
    """The integration's queued run that writes (at most one: the one-active-run index)."""
    query = select(SyncRun).where(
        SyncRun.integration_id == integration_id,
        SyncRun.status == RunStatus.queued,
        SyncRun.dry_run.is_(False),
    )
    return session.scalars(query).first()


def start_queued(session: Session, run_id: int, now: datetime, **values: Any) -> bool:
    """queued → running, only if still queued (two takers: one wins); True when this call took it."""
    result = session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status == RunStatus.queued)
        .values(status=RunStatus.running, phase="starting", started_at=now, heartbeat_at=now, **values)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1
