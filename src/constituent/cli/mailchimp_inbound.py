"""``constituent mailchimp reconcile`` and ``constituent mailchimp campaigns import``: Mailchimp → database
passes run in this process (the worker runs the same functions on a schedule)."""

from __future__ import annotations

from typing import Protocol

import typer

from constituent.cli.context import migrated_database, reported_errors
from constituent.cli.output import emit_json
from constituent.kit.settings import get_settings

campaigns_app = typer.Typer(help="Sent Mailchimp campaigns, tracked as activities.", no_args_is_help=True)


class _Result(Protocol):
    failed: int

    def as_dict(self) -> dict[str, int]: ...


def _report(result: _Result, as_json: bool, summary: str) -> None:
    """JSON counts or one sentence; exit 1 when anything failed (it is retried by the next pass)."""
    if as_json:
        emit_json(result.as_dict())
    else:
        typer.echo(summary)
    if result.failed:
        raise typer.Exit(1)


def run_reconcile(integration_id: int | None, as_json: bool) -> None:
    from constituent.integrations.mailchimp.reconcile.service import reconcile

    with reported_errors():
        result = reconcile(migrated_database(), get_settings(), integration_id=integration_id)
    summary = (
        f"Reconciled {result.integrations} integration(s): {result.members_read} changed member(s) read, "
        f"{result.events_applied} change(s) applied, {result.ledger_corrected} ledger status(es) "
        f"corrected, {result.failed} failure(s)."
    )
    _report(result, as_json, summary)


@campaigns_app.command("import")
def import_campaigns(
    integration: int | None = typer.Option(None, "--integration", help="Only this integration [all]."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Find campaigns sent to the audience and write an "Email sent" activity on each recipient contact
    (running it again adds nothing), and read again the opens and clicks of campaigns sent in the last
    week."""
    from constituent.integrations.mailchimp.campaigns.tracking import track_campaigns

    with reported_errors():
        result = track_campaigns(
            migrated_database(), get_settings(), integration_id=integration, reread_engagement=True
        )
    summary = (
        f"{result.campaigns_discovered} new campaign(s), {result.campaigns_read} read to the end, "
        f"{result.recipients_read} recipient(s) read, {result.activities_written} activit(ies) "
        f"written, {result.engagement_updated} given new opens and clicks, {result.failed} failure(s)."
    )
    _report(result, as_json, summary)
