"""``constituent keys``: the keys that encrypt stored secrets (Mailchimp tokens)."""

from __future__ import annotations

import typer
from cryptography.fernet import Fernet

from constituent.kit.crypto import add_new_key
from constituent.kit.settings import get_settings

app = typer.Typer(help="Encryption keys for stored secrets.", no_args_is_help=True)


@app.command()
def generate() -> None:
    """Print a new key (for CONSTITUENT_SECRET_KEYS)."""
    typer.echo(Fernet.generate_key().decode())


@app.command()
def rotate() -> None:
    """Add a new key and re-encrypt every stored secret with it; old keys still decrypt until removed."""
    # Importing the integration's rotator registers it (the CLI is where the pieces meet).
    import constituent.integrations.mailchimp.secrets_rotation  # noqa: F401
    from constituent.kit.secrets_rotation import reencrypt_all_secrets

    settings = get_settings()
    if not settings.secret_keys:
        add_new_key(settings)
    count = reencrypt_all_secrets(settings)
    typer.echo(f"re-encrypted {count} stored secret(s) with the newest key")
