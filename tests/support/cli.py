"""`constituent` run in this process (Typer's runner): the same commands, options, exit codes and output
as the installed script, without paying a Python start-up per call. A few true end-to-end tests still
start the real script (``Product.cli``)."""

from __future__ import annotations

import subprocess
import traceback
from collections.abc import Mapping
from dataclasses import dataclass

from typer.testing import CliRunner

from constituent.cli import app
from constituent.cli import context as cli_context
from constituent.kit.runtime import get_database, reset_database_cache
from constituent.kit.settings import reset_settings_cache


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    traceback: str  # an exception the command let escape (a command must never do that); "" otherwise


def invoke(env: Mapping[str, str], *args: str, stdin: str | None = None) -> CliResult:
    """Run ``constituent *args`` with ``env`` as its environment (settings and database read from it)."""
    _forget_process_state()
    try:
        result = CliRunner().invoke(app, list(args), input=stdin, env=dict(env), catch_exceptions=True)
    finally:
        _forget_process_state()
    escaped = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        escaped = "".join(traceback.format_exception(result.exception))
    return CliResult(result.exit_code, result.stdout, result.stderr, escaped)


def run(env: Mapping[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``invoke`` shaped like ``subprocess.run``'s answer; an escaped exception ends as a real process
    would: its traceback on stderr and exit code 1."""
    result = invoke(env, *args, stdin=stdin)
    if result.traceback:
        return subprocess.CompletedProcess(["constituent", *args], 1, result.stdout, result.traceback)
    return subprocess.CompletedProcess(["constituent", *args], result.exit_code, result.stdout, result.stderr)


def _forget_process_state() -> None:
    """Each invocation reads its settings, migrates and opens its database afresh, as a new process would
    (PostgreSQL tests share one URL and differ by schema, so "already migrated" must not carry over)."""
    cli_context._migrated.clear()
    reset_settings_cache()
    if get_database.cache_info().currsize:
        get_database().engine.dispose()
    reset_database_cache()
