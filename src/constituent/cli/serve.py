"""``constituent serve``: the web app and API under uvicorn, on an up-to-date schema."""

from __future__ import annotations

import typer

from constituent.cli.context import migrated_database

app = typer.Typer(help="Serve the web app and the REST API.", invoke_without_command=True)


@app.callback()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (0.0.0.0 for all)."),
    port: int = typer.Option(8000, help="TCP port."),
    with_worker: bool = typer.Option(
        False,
        "--with-worker",
        help="Also run the job worker in this process (the one-machine setup: Force Sync, webhooks and "
        "the schedules work with nothing else running).",
    ),
    workers: int = typer.Option(2, "--workers", min=1, help="Worker threads with --with-worker."),
    periodic: bool = typer.Option(
        True, "--periodic/--no-periodic", help="With --with-worker: run the schedules here too."
    ),
) -> None:
    """Migrate the database, then serve /healthz, /readyz, /metrics, /api/v1 (docs at /api/v1/docs) and
    the web pages. Without --with-worker, run `constituent worker` beside it."""
    # Imported here: every other command would otherwise pay for loading the web stack at start-up.
    import uvicorn

    from constituent.kit import logging as kit_logging
    from constituent.kit.settings import get_settings
    from constituent.web.app import create_app

    settings = get_settings()
    kit_logging.configure(settings)
    database = migrated_database()
    app = create_app(settings, database=database)
    if with_worker:
        from constituent.jobs.worker import EmbeddedWorker, run_beside

        run_beside(app, EmbeddedWorker(settings, database, workers=workers, periodic=periodic))
    uvicorn.run(app, host=host, port=port, log_config=None, log_level="info")
