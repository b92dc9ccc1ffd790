"""``constituent serve``: the web app and API under uvicorn, on an up-to-date schema."""

from __future__ import annotations

import typer

from constituent.cli.context import migrated_database

app = typer.Typer(help="Serve the web app and the REST API.", invoke_without_command=True)


@app.callback()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (0.0.0.0 for all)."),
    port: int = typer.Option(8000, help="TCP port."),
) -> None:
    """Migrate the database, then serve /healthz, /api/v1 (docs at /api/v1/docs) and the web pages."""
    # Imported here: every other command would otherwise pay for loading the web stack at start-up.
    import uvicorn

    from constituent.web.app import create_app

    database = migrated_database()
    # Seam for issue 7: `--with-worker` will start the job worker in this process before uvicorn runs.
    uvicorn.run(create_app(database=database), host=host, port=port, log_level="info")
