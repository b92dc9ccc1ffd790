"""``constituent mailchimp sync``: runs in this process, one integration after another, with a progress
bar on a terminal and a summary (or ``--json``) at the end."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from constituent.cli.context import migrated_database, reported_errors
from constituent.cli.output import emit_json, fail
from constituent.integrations.mailchimp import repository
from constituent.integrations.mailchimp.sync import runs
from constituent.integrations.mailchimp.sync.engine import run_sync
from constituent.integrations.mailchimp.sync.models import RunMode, RunStatus, RunTrigger, SyncRun
from constituent.integrations.mailchimp.sync.plan_report import ReportRow
from constituent.integrations.mailchimp.sync.recorder import Progress
from constituent.integrations.mailchimp.sync.schemas import RunSummary
from constituent.kit.db import session_scope
from constituent.kit.runtime import Database
from constituent.kit.settings import get_settings

REPORT_LINES = 50


@contextmanager
def _progress_bar(enabled: bool, integration_id: int) -> Iterator[Progress | None]:
    """A live bar on a terminal only (on stderr); pipes and --json get clean output."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(f"integration {integration_id}", total=None)

        def show(phase: str, done: int, total: int) -> None:
            bar.update(
                task, description=f"integration {integration_id}: {phase}", completed=done, total=total
            )

        yield show


def _integration_ids(database: Database, chosen: int | None) -> list[int]:
    if chosen is not None:
        return [chosen]
    with session_scope(database.sessions) as session:
        ids = [integration.id for integration in repository.list_all(session)]
    if not ids:
        fail("no Mailchimp integration yet: connect one with `constituent mailchimp connect`")
    return ids


def _waiting() -> None:
    typer.echo("Another sync of this integration is running; waiting for it to finish…", err=True)


def sync_integrations(
    chosen: int | None, *, full: bool, dry_run: bool, confirm_removals: bool, as_json: bool
) -> None:
    database = migrated_database()
    settings = get_settings()
    finished: list[SyncRun] = []
    with reported_errors():
        for integration_id in _integration_ids(database, chosen):
            with _progress_bar(sys.stderr.isatty() and not as_json, integration_id) as progress:
                run = run_sync(
                    database,
                    settings,
                    integration_id,
                    mode=RunMode.full if full else RunMode.incremental,
                    dry_run=dry_run,
                    confirm_removals=confirm_removals,
                    trigger=RunTrigger.cli,
                    progress=progress,
                    waiting=_waiting,
                )
            finished.append(run)
    _print(finished, as_json, database)
    # A cancelled run (its integration was removed meanwhile) did not sync either.
    if any(run.status in (RunStatus.failed, RunStatus.cancelled) for run in finished):
        raise typer.Exit(1)


def _print(finished: list[SyncRun], as_json: bool, database: Database) -> None:
    if as_json:
        summaries = [RunSummary.of(run).model_dump(mode="json") for run in finished]
        emit_json(summaries[0] if len(summaries) == 1 else summaries)
        return
    for run in finished:
        with database.sessions() as session:
            report = runs.report_of(session, run.id, limit=REPORT_LINES)
        _print_run(run, report)


def _print_run(run: SyncRun, report: list[ReportRow]) -> None:
    if run.status is RunStatus.cancelled:
        typer.echo(f"cancelled: {run.message}")  # nothing else is left to tell: the run row is gone
        return
    kind = f"{run.mode.value}{' dry run' if run.dry_run else ''}"
    if run.trigger is RunTrigger.first_sync:
        kind = "first sync"
    typer.echo(f"Integration {run.integration_id}, run {run.id} ({kind}): {run.status.value}")
    counts = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in run.counters().items())
    typer.echo(f"  {'would be: ' if run.dry_run else ''}{counts}")
    typer.echo(f"  requests: {run.requests_read} read, {run.requests_write} write")
    if run.message:
        typer.echo(f"  {run.message}")
    for row in report:
        changes = f" ({', '.join(row.changes)})" if row.changes else ""
        typer.echo(f"  {row.action:<12} {row.email}{changes} {row.message}".rstrip())
    if run.errors:
        typer.echo(f"  {run.errors} member(s) could not be written: GET /api/v1/sync-runs/{run.id}")
