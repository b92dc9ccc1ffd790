"""``constituent mailchimp health ID``: check how far the audience has drifted from the database (reads
the whole audience; writes nothing to Mailchimp) and print each figure with what the next sync does."""

from __future__ import annotations

import asyncio

import typer

from constituent.cli.context import open_session
from constituent.cli.output import emit_json
from constituent.integrations.mailchimp.health.schemas import HealthReport
from constituent.integrations.mailchimp.health.service import check
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.settings import get_settings


def run_health(integration_id: int, as_json: bool) -> None:
    box = SecretBox.from_settings(get_settings())
    with open_session() as session:
        report = asyncio.run(check(session, box, integration_id, utcnow()))
    if as_json:
        emit_json(report.model_dump(mode="json"))
    else:
        _print(report)


def _print(report: HealthReport) -> None:
    typer.echo(f"Integration {report.integration_id}, checked {report.checked_at:%Y-%m-%d %H:%M} UTC")
    typer.echo("  members: " + ", ".join(f"{n} {status}" for status, n in report.by_status.items()))
    for _kind, line, next_sync, count in report.words():
        typer.echo(f"  {count:>7}  {line}")
        if count:
            typer.echo(f"           next sync: {next_sync}")
