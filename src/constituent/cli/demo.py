"""``constituent demo``: everything needed to try Constituent on one machine, in one command."""

from __future__ import annotations

import typer

app = typer.Typer(invoke_without_command=True)


@app.callback()
def demo(
    host: str = typer.Option("127.0.0.1", help="Interface for the app and the emulator."),
    port: int = typer.Option(8000, help="Port of the app."),
    emulator_port: int = typer.Option(8025, help="Port of the local Mailchimp emulator."),
    contacts: int = typer.Option(20_000, min=10, help="How many demo contacts to generate (first run only)."),
    seed: int = typer.Option(2026, help="Seed of the generated data."),
) -> None:
    """Build a demo database, start the Mailchimp emulator, and serve the app with its worker.

    The first run also connects Mailchimp through its OAuth login pages, runs the first sync with a
    progress bar, has a few people unsubscribe in Mailchimp (webhooks into the app) and sends a campaign.
    Data, the emulator's state and the demo login stay in CONSTITUENT_DATA_DIR (default ./data), so
    running it again reuses them. Ctrl-C stops everything.
    """
    from constituent.demo.runner import DemoOptions, PortInUse, run
    from constituent.kit.settings import get_settings

    try:
        run(get_settings(), DemoOptions(host, port, emulator_port, contacts, seed), typer.echo)
    except PortInUse as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
