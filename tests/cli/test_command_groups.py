"""The ``constituent`` command's groups are imported when asked for (``cli._LazyGroups``): a command
pays for its own modules at start-up, not for every other command's."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from constituent.cli import GROUPS, app

PROBE = """
import sys
from constituent.cli import main
sys.argv = ["constituent", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("LOADED", " ".join(sorted(m for m in sys.modules if m.startswith("constituent.cli."))))
heavy = ("alembic", "faker", "uvicorn", "huey", "mailchimp_emulator")
print("ALSO", " ".join(m for m in heavy if m in sys.modules))
"""


def _loaded_by(*args: str) -> tuple[set[str], set[str]]:
    """The command modules and heavy libraries a fresh ``constituent *args`` imported."""
    output = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    lines = dict(line.split(" ", 1) if " " in line else (line, "") for line in output.splitlines() if line)
    return set(lines["LOADED"].split()), set(lines["ALSO"].split())


def test_a_mailchimp_command_imports_no_other_groups_commands_nor_their_libraries() -> None:
    commands, libraries = _loaded_by("mailchimp", "sync", "--help")

    others = {module for name, module in GROUPS.items() if name != "mailchimp"}
    assert "constituent.cli.mailchimp" in commands
    assert not commands & others, f"imported other groups: {sorted(commands & others)}"
    assert not libraries, f"imported what only other commands need: {sorted(libraries)}"


def test_the_help_lists_every_group_with_its_description_and_an_unknown_one_is_refused() -> None:
    runner = CliRunner()

    listed = runner.invoke(app, ["--help"])
    unknown = runner.invoke(app, ["mailchimpp", "sync"])

    assert listed.exit_code == 0
    for name in GROUPS:
        assert f" {name} " in listed.stdout
    assert "The Mailchimp integration." in listed.stdout
    assert "Saved searches and quick lists." in listed.stdout
    assert unknown.exit_code == 2
    assert "No such command 'mailchimpp'" in unknown.stderr


def test_a_command_of_each_group_is_reachable() -> None:
    runner = CliRunner()
    for name in GROUPS:
        shown = runner.invoke(app, [name, "--help"])
        assert shown.exit_code == 0, (name, shown.stdout, shown.stderr)
        assert f"constituent {name}" in shown.stdout
