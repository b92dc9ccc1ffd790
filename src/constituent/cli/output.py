"""Printing for the CLI: JSON for scripts, plain lines for people, errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, default=str, indent=2) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
