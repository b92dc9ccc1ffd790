"""The ``constituent`` command line. Each domain adds its own sub-command group in its own module.

The groups are imported when a command asks for them (``_LazyGroups``), not all at start-up: a run of
``constituent mailchimp sync`` imported every command's domain (contacts' exporter, migrations, users...)
before doing anything, 0.95 s of start-up where its own modules take 0.7 s.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

# Each group's name -> the module whose ``app`` it is; --help lists them in this order.
GROUPS: dict[str, str] = {
    "db": "constituent.cli.db",
    "keys": "constituent.cli.keys",
    "contacts": "constituent.cli.contacts",
    "activities": "constituent.cli.activities",
    "groups": "constituent.cli.groups",
    "mailchimp": "constituent.cli.mailchimp",
    "users": "constituent.cli.users",
    "tokens": "constituent.cli.tokens",
    "org": "constituent.cli.org",
    "serve": "constituent.cli.serve",
    "emulator": "constituent.cli.emulator",
    "searches": "constituent.cli.searches",
    "demo": "constituent.cli.demo",
    "worker": "constituent.cli.worker",
}


class _LazyGroups(TyperGroup):
    """The top-level group: each sub-command group is imported the first time it is asked for."""

    # ``ctx`` is click's Context, which Typer vendors privately: not named here.
    def list_commands(self, ctx: Any) -> list[str]:
        return list(GROUPS)

    def get_command(self, ctx: Any, cmd_name: str) -> TyperGroup | None:
        module = GROUPS.get(cmd_name)
        if module is None:
            return None
        group = typer.main.get_group(importlib.import_module(module).app)
        group.name = cmd_name
        return group


app = typer.Typer(
    name="constituent",
    cls=_LazyGroups,
    help="Constituent: a contact database whose Mailchimp integration keeps audiences in step.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    # A callback makes Typer build a group (whose sub-commands ``_LazyGroups`` supplies).
    pass


def main() -> None:
    app()
