"""``constituent users``: the people who sign in (admin | staff)."""

from __future__ import annotations

import sys

import typer

from constituent.auth import service
from constituent.auth.models import Role, User
from constituent.cli.context import open_session
from constituent.cli.output import emit_json

app = typer.Typer(help="Users who sign in to the web app and own API tokens.", no_args_is_help=True)


def _user_json(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role.value,
        "is_active": user.is_active,
        "created_at": user.created_at.isoformat(),
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # Only the line ending is stripped: spaces inside or around a password are part of it.
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command()
def create(
    email: str = typer.Argument(..., help="The user's email; they sign in with it."),
    admin: bool = typer.Option(False, "--admin", help="Administrator (else staff)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Create a user; the password is asked twice (hidden) unless given on stdin."""
    password = _read_password(password_stdin)
    with open_session() as session:
        user = service.create_user(session, email, password, role=Role.admin if admin else Role.staff)
        payload = _user_json(user)
    if as_json:
        emit_json(payload)
    else:
        typer.echo(f"created {payload['role']} user {payload['email']} (id {payload['id']})")


@app.command("set-password")
def set_password(
    email: str = typer.Argument(..., help="The user's email."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Replace a user's password."""
    password = _read_password(password_stdin)
    with open_session() as session:
        service.set_password(session, email, password)
    typer.echo(f"password changed for {email}")


@app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List users."""
    with open_session() as session:
        users = [_user_json(user) for user in service.list_users(session)]
    if as_json:
        emit_json(users)
        return
    for user in users:
        state = "" if user["is_active"] else " (inactive)"
        typer.echo(f"{user['id']:>5}  {user['role']:<6} {user['email']}{state}")
