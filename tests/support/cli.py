"""`constituent` run in this process (Typer's runner): the same commands, options, exit codes and output
as the installed script, without paying a Python start-up per call. A few true end-to-end tests still
start the real script (``Product.cli``)."""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass

from typer.testing import CliRunner

from constituent.cli import app
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


def _forget_process_state() -> None:
    """Each invocation reads its settings and opens its database afresh, as a new process would."""
    reset_settings_cache()
    if get_database.cache_info().currsize:
        get_database().engine.dispose()
    reset_database_cache()
