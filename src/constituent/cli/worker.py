"""``constituent worker``: a Huey consumer running syncs, webhook processing and the schedules."""

from __future__ import annotations

import typer

from constituent.cli.context import migrated_database

app = typer.Typer(
    help="Run background jobs (syncs, webhook processing, schedules).", invoke_without_command=True
)


@app.callback()
def worker(
    workers: int = typer.Option(4, "--workers", min=1, help="Worker threads (runs at once in this process)."),
    periodic: bool = typer.Option(
        True,
        "--periodic/--no-periodic",
        help="Run the schedules here (nightly syncs, reaper, reconciliation, campaign tracking). "
        "Exactly one process should; start the others with --no-periodic.",
    ),
) -> None:
    """Consume the queue (CONSTITUENT_QUEUE_URL) until SIGTERM or Ctrl-C, which let running jobs finish."""
    from constituent.jobs.worker import run_worker
    from constituent.kit.settings import get_settings

    database = migrated_database()
    run_worker(get_settings(), database, workers=workers, periodic=periodic)
