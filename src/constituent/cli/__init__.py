"""The ``constituent`` command line. Each domain adds its own sub-command group in its own module."""

from __future__ import annotations

import typer

from constituent.cli import db as db_commands
from constituent.cli import keys as keys_commands
from constituent.cli import mailchimp as mailchimp_commands

app = typer.Typer(
    name="constituent",
    help="Constituent: a contact database whose Mailchimp integration keeps audiences in step.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(keys_commands.app, name="keys")
app.add_typer(mailchimp_commands.app, name="mailchimp")


def main() -> None:
    app()
