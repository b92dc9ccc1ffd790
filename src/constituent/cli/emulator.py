"""``constituent emulator``: the local Mailchimp (Marketing API v3 + OAuth) for tests, demos and a sandbox."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(invoke_without_command=True)


@app.callback()
def emulator(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (0.0.0.0 for all)."),
    port: int = typer.Option(8025, help="TCP port."),
    latency_ms: int = typer.Option(0, min=0, help="Delay added to every /3.0 response, in milliseconds."),
    max_connections: int = typer.Option(
        10, min=1, help="Requests one account may have in flight; more get 429 Too Many Requests."
    ),
    state: Path | None = typer.Option(
        None, help="State file (gzip JSON lines): loaded at start if it exists, saved at shutdown."
    ),
) -> None:
    """Serve the Mailchimp API at http://HOST:PORT/3.0/, OAuth at /oauth2/ and the control API at /_emulator/.

    Create an account first: POST /_emulator/accounts {"plan": "monthly"} returns its api_key.
    """
    # Imported here: every other command would otherwise pay for loading the emulator at start-up.
    import uvicorn

    from mailchimp_emulator.app import create_app
    from mailchimp_emulator.config import EmulatorConfig
    from mailchimp_emulator.heap import keep_full_collections_short

    config = EmulatorConfig(
        host=host, port=port, latency_ms=latency_ms, max_connections=max_connections, state_file=state
    )
    typer.echo(
        f"Mailchimp emulator on {config.public_url}/3.0/ (control API: {config.public_url}/_emulator/)"
    )
    keep_full_collections_short()
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
