"""The ``constituent`` command line. Each domain adds its own sub-command group in its own module."""

from __future__ import annotations

import typer

from constituent.cli import activities as activities_commands
from constituent.cli import contacts as contacts_commands
from constituent.cli import db as db_commands
from constituent.cli import demo as demo_commands
from constituent.cli import emulator as emulator_commands
from constituent.cli import groups as groups_commands
from constituent.cli import keys as keys_commands
from constituent.cli import mailchimp as mailchimp_commands
from constituent.cli import org as org_commands
from constituent.cli import searches as searches_commands
from constituent.cli import serve as serve_commands
from constituent.cli import tokens as tokens_commands
from constituent.cli import users as users_commands
from constituent.cli import worker as worker_commands

app = typer.Typer(
    name="constituent",
    help="Constituent: a contact database whose Mailchimp integration keeps audiences in step.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(keys_commands.app, name="keys")
app.add_typer(contacts_commands.app, name="contacts")
app.add_typer(activities_commands.app, name="activities")
app.add_typer(groups_commands.app, name="groups")
app.add_typer(mailchimp_commands.app, name="mailchimp")
app.add_typer(users_commands.app, name="users")
app.add_typer(tokens_commands.app, name="tokens")
app.add_typer(org_commands.app, name="org")
app.add_typer(serve_commands.app, name="serve")
app.add_typer(emulator_commands.app, name="emulator")
app.add_typer(searches_commands.app, name="searches")
app.add_typer(demo_commands.app, name="demo")
app.add_typer(worker_commands.app, name="worker")


def main() -> None:
    app()
