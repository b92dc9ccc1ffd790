"""``constituent tokens``: personal API tokens (Bearer) for the REST API."""

from __future__ import annotations

from datetime import datetime

import typer

from constituent.auth import service
from constituent.auth.models import ApiToken
from constituent.cli.context import open_session
from constituent.cli.output import emit_json

app = typer.Typer(help="Personal API tokens for the REST API (/api/v1).", no_args_is_help=True)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _token_json(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.id,
        "user": token.user.email,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": _iso(token.created_at),
        "last_used_at": _iso(token.last_used_at),
        "revoked_at": _iso(token.revoked_at),
    }


@app.command()
def create(
    email: str = typer.Argument(..., help="The user the token acts as."),
    name: str = typer.Option("", "--name", help="A label to recognise the token by."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Create a token and print it once: only its hash is stored, so it cannot be shown again."""
    with open_session() as session:
        issued = service.create_token(session, email, name=name)
        payload = {**_token_json(issued.token), "token": issued.raw}
    if as_json:
        emit_json(payload)
        return
    typer.echo(issued.raw)
    typer.echo(f"token {payload['id']} for {email}: copy it now, it will not be shown again", err=True)


@app.command("list")
def list_tokens(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List tokens (prefix only; the tokens themselves are not stored)."""
    with open_session() as session:
        tokens = [_token_json(token) for token in service.list_tokens(session)]
    if as_json:
        emit_json(tokens)
        return
    for token in tokens:
        state = (
            f"revoked {token['revoked_at']}" if token["revoked_at"] else f"last used {token['last_used_at']}"
        )
        typer.echo(f"{token['id']:>5}  {token['prefix']}…  {token['user']}  {token['name']!s:<20} {state}")


@app.command()
def revoke(token_id: int = typer.Argument(..., help="The token's id (see `tokens list`).")) -> None:
    """Revoke a token: it stops working at once."""
    with open_session() as session:
        service.revoke_token(session, token_id)
    typer.echo(f"token {token_id} revoked")
