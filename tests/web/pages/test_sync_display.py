"""The history chart's geometry and the progress of a run, computed from run rows (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.web.pages.sync_display import (
    CHART_BASE,
    CHART_RUNS,
    history_chart,
    next_nightly,
    progress_of,
)

STARTED = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def _run(
    run_id: int, *, created: int = 0, errors: int = 0, dry_run: bool = False, **fields: object
) -> SyncRun:
    counters = {
        "updated": 0,
        "archived": 0,
        "email_changes": 0,
        "refused": 0,
        "tags_added": 0,
        "tags_removed": 0,
    }
    return SyncRun(
        id=run_id,
        integration_id=1,
        trigger=RunTrigger.schedule,
        mode=RunMode.incremental,
        dry_run=dry_run,
        status=fields.pop("status", RunStatus.succeeded),
        phase=fields.pop("phase", "done"),
        created=created,
        errors=errors,
        started_at=STARTED,
        created_at=STARTED,
        progress_done=fields.pop("progress_done", 0),
        progress_total=fields.pop("progress_total", None),
        **counters,
    )


def test_the_chart_draws_the_last_thirty_runs_that_could_write_oldest_first() -> None:
    newest_first = [_run(n, created=n) for n in range(40, 0, -1)]
    newest_first.insert(0, _run(41, created=999, dry_run=True))

    chart = history_chart(newest_first)

    assert chart is not None and chart.runs == CHART_RUNS
    written = [bar for bar in chart.bars if bar.kind == "written"]
    assert [bar.title.split(" ")[1] for bar in written] == [str(n) for n in range(11, 41)]
    assert written[0].x < written[-1].x
    assert written[-1].y == 10 and written[-1].y + written[-1].height == CHART_BASE, (
        "the largest is full height"
    )


def test_bars_are_scaled_to_the_largest_value_and_errors_sit_beside_members() -> None:
    chart = history_chart([_run(2, created=0, errors=5), _run(1, created=10, errors=0)])

    assert chart is not None
    heights = {bar.title: bar.height for bar in chart.bars}
    assert heights == {
        "Run 1 (2026-11-22 02:00 UTC): 10 members written": 130,
        "Run 1 (2026-11-22 02:00 UTC): 0 errors": 0,
        "Run 2 (2026-11-22 02:00 UTC): 0 members written": 0,
        "Run 2 (2026-11-22 02:00 UTC): 5 errors": 65,
    }


def test_there_is_no_chart_without_a_run_that_could_write() -> None:
    assert history_chart([]) is None
    assert history_chart([_run(1, dry_run=True)]) is None


def test_a_queued_run_has_progress_without_a_total_and_a_finished_one_has_none() -> None:
    queued = progress_of(_run(1, status=RunStatus.queued, phase=""))
    running = progress_of(_run(2, status=RunStatus.running, phase="refresh"))
    applying = progress_of(
        _run(3, status=RunStatus.running, phase="members", progress_done=999, progress_total=1000, created=7)
    )

    assert queued is not None and (queued.status, queued.phase, queued.percent) == (
        "queued",
        "waiting for its turn",
        None,
    )
    assert running is not None and running.phase == "reading the audience back from Mailchimp"
    assert applying is not None and applying.percent == 99 and ("added", 7) in applying.counters
    assert progress_of(_run(4)) is None
    assert progress_of(None) is None


def test_the_newest_run_stands_at_the_right_edge_however_few_runs_there_are() -> None:
    chart = history_chart([_run(1, created=4)])

    assert chart is not None
    [written, errors] = chart.bars
    assert errors.x + errors.width <= chart.width
    assert written.x >= chart.width - 2 * (chart.width // CHART_RUNS)


def test_the_next_nightly_sync_is_tonight_until_it_has_started_then_tomorrow() -> None:
    offset = timedelta(minutes=37)
    before = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    after = datetime(2026, 11, 22, 2, 40, tzinfo=UTC)

    assert next_nightly("02:00", offset, "UTC", before).at == datetime(2026, 11, 22, 2, 37, tzinfo=UTC)
    tomorrow = next_nightly("02:00", offset, "UTC", after)
    assert (tomorrow.at, tomorrow.zone, tomorrow.offset_minutes) == (
        datetime(2026, 11, 23, 2, 37, tzinfo=UTC),
        "UTC",
        37,
    )


def test_the_next_nightly_sync_is_in_the_organizations_time_zone() -> None:
    # 2026-11-22 12:00 UTC is 07:00 in New York: tonight's 02:00 there has passed.
    found = next_nightly("02:00", timedelta(0), "America/New_York", datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    assert (found.at.isoformat(), found.zone) == ("2026-11-23T02:00:00-05:00", "America/New_York")
