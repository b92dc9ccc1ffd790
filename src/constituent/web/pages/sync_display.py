"""What the Mailchimp page shows of sync runs: a running run's progress, and the history chart.

Both are plain values computed here from the run rows, so the templates only lay them out and the
chart's geometry is tested without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from constituent.integrations.mailchimp.sync.models import FINISHED_STATUSES, RunStatus, SyncRun
from constituent.web.pages.local_time import local_time

UTC_ZONE = ZoneInfo("UTC")

# The engine's phases (engine.py, applier.py) in the words a person reads on the page.
PHASES = {
    "": "waiting for its turn",
    "starting": "starting",
    "planning": "working out what to send",
    "refresh": "reading the audience back from Mailchimp",
    "applying": "sending changes to Mailchimp",
    "renames": "changing email addresses",
    "members": "sending members",
    "tags": "updating tags",
    "archives": "archiving members",
    "refusals": "noting Mailchimp's refusals",
    "done": "finished",
}
COUNTER_LABELS = (
    ("created", "added"),
    ("updated", "updated"),
    ("archived", "archived"),
    ("refused", "refused"),
    ("errors", "errors"),
)


@dataclass(frozen=True, slots=True)
class RunProgress:
    """A queued or running run, as the live progress panel shows it."""

    run_id: int
    status: str
    phase: str
    done: int
    total: int | None  # None until the run knows how many writes it will make
    counters: tuple[tuple[str, int], ...]

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


def progress_of(run: SyncRun | None) -> RunProgress | None:
    """The progress of ``run`` while it is queued or running; None once it has finished."""
    if run is None or run.status in FINISHED_STATUSES:
        return None
    return RunProgress(
        run_id=run.id,
        status="queued" if run.status == RunStatus.queued else "running",
        phase=PHASES.get(run.phase, run.phase),
        done=run.progress_done,
        total=run.progress_total,
        counters=tuple((label, int(getattr(run, name))) for name, label in COUNTER_LABELS),
    )


def guard_stopped(newest_first: Sequence[SyncRun]) -> bool:
    """Whether the latest run that could write was stopped by the removal guard (a preview since then,
    a dry run, does not hide the confirm button)."""
    latest = next((run for run in newest_first if not run.dry_run), None)
    return latest is not None and latest.status == RunStatus.needs_confirmation


# -- the history chart -----------------------------------------------------------------------------

CHART_RUNS = 30
CHART_WIDTH, CHART_HEIGHT, CHART_BASE = 600, 160, 140  # the bars stand on y = CHART_BASE
_SLOT = CHART_WIDTH // CHART_RUNS
_BAR = (_SLOT - 4) // 2


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    kind: str  # "written" | "errors"
    title: str  # read by screen readers and shown on hover


@dataclass(frozen=True, slots=True)
class Chart:
    bars: tuple[Bar, ...]
    runs: int
    most: int  # the value the full height stands for
    oldest: str  # the x axis' labels: "Run 12, 2026-01-15 06:00 CST"
    newest: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    base: int = CHART_BASE


def written(run: SyncRun) -> int:
    """Members a run wrote: added, updated, archived or renamed in Mailchimp."""
    return run.created + run.updated + run.archived + run.email_changes


def history_chart(newest_first: Sequence[SyncRun], zone: ZoneInfo = UTC_ZONE) -> Chart | None:
    """Members written and errors of the last 30 runs that could write (dry runs are left out), oldest
    on the left; None when there is nothing to draw."""
    chosen = [run for run in newest_first if not run.dry_run][:CHART_RUNS][::-1]
    if not chosen:
        return None
    most = max(max(written(run), run.errors) for run in chosen) or 1
    bars: list[Bar] = []
    # Right-aligned: the newest run always stands at the right edge, however few runs there are.
    for slot, run in enumerate(chosen, start=CHART_RUNS - len(chosen)):
        started = local_time(run.started_at or run.created_at, zone)
        for offset, kind, value in ((0, "written", written(run)), (1, "errors", run.errors)):
            height = round(value * (CHART_BASE - 10) / most)
            noun = "members written" if kind == "written" else "errors"
            bars.append(
                Bar(
                    x=slot * _SLOT + 2 + offset * _BAR,
                    y=CHART_BASE - height,
                    width=_BAR,
                    height=height,
                    kind=kind,
                    title=f"Run {run.id} ({started}): {value} {noun}",
                )
            )
    oldest, newest = (
        f"Run {run.id}, {local_time(run.started_at or run.created_at, zone)}"
        for run in (chosen[0], chosen[-1])
    )
    return Chart(tuple(bars), len(chosen), most, oldest, newest)


# -- the next nightly sync -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NextSync:
    at: datetime  # aware, in the organization's time zone
    zone: str
    offset_minutes: int


def next_nightly(nightly_time: str, offset: timedelta, zone_name: str, now: datetime) -> NextSync:
    """When the nightly schedule (jobs/schedule.py: local nightly_time + the integration's fixed offset)
    starts this integration's next run after ``now``."""
    zone = ZoneInfo(zone_name or "UTC")
    hour, minute = (int(part) for part in nightly_time.split(":"))
    local_now = now.astimezone(zone)
    for night in (local_now.date(), local_now.date() + timedelta(days=1)):
        start = datetime.combine(night, time(hour, minute), tzinfo=zone) + offset
        if start > local_now:
            return NextSync(start, zone.key, int(offset.total_seconds() // 60))
    raise AssertionError("unreachable: tomorrow's start is always after now")
