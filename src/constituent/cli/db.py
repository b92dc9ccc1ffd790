"""``constituent db``: schema migrations."""

from __future__ import annotations

import typer

from constituent.kit import migrate
from constituent.kit.runtime import get_database

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Migrate the database to the latest schema (safe to run repeatedly)."""
    migrate.upgrade(get_database().engine, revision)
    typer.echo(f"database at {revision}")
