"""``constituent activities``: log a note, call, meeting or email on a contact; list what happened."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from constituent.cli.context import cli_actor, open_session
from constituent.cli.output import emit_json, fail
from constituent.crm.activities.schemas import ActivityOut
from constituent.crm.activities.service import list_activities, log_by_hand
from constituent.crm.activities.types import LOGGED_TYPES
from constituent.kit.clock import utcnow

app = typer.Typer(
    help="A contact's activities: log a note, call, meeting or email; list them.", no_args_is_help=True
)

JSON = typer.Option(False, "--json", help="Machine-readable output.")
# A bad time is a usage error, like a bad option: exit 2, as Typer itself does.
BAD_TIME_EXIT = 2


def _when(text: str | None) -> datetime:
    """``--at`` as given (ISO-8601; without a zone it is UTC), or now."""
    if text is None:
        return utcnow()
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--at is not a date and time like 2026-03-31T15:00+01:00: {text!r}", BAD_TIME_EXIT)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _logged_type(value: str) -> str:
    if value not in LOGGED_TYPES:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(LOGGED_TYPES)}")
    return value


def _line(activity: ActivityOut) -> str:
    by = f" (by {activity.source})" if activity.source else ""
    when = activity.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{activity.id}  {when}  {activity.type_label}: {activity.subject}{by}"


@app.command("log")
def log(
    contact_id: int = typer.Argument(..., help="Contact id."),
    kind: str = typer.Argument(
        ..., metavar="TYPE", help="note, call, meeting or email.", callback=_logged_type
    ),
    subject: str = typer.Argument(..., help="What happened, in a few words."),
    at: str | None = typer.Option(None, "--at", help="When (ISO-8601; no zone means UTC). Default: now."),
    as_json: bool = JSON,
) -> None:
    """Log a note, call, meeting or email on a contact, credited to you (the operating-system user)."""
    when = _when(at)
    with open_session() as session:
        logged = ActivityOut.model_validate(
            log_by_hand(session, contact_id, kind, subject, when, cli_actor())
        )
    if as_json:
        emit_json(logged.model_dump(mode="json"))
    else:
        typer.echo(f"logged {_line(logged)}")


@app.command("list")
def list_(
    contact_id: int = typer.Argument(..., help="Contact id."),
    limit: int = typer.Option(50, "--limit", min=1, max=500, help="How many, newest first."),
    as_json: bool = JSON,
) -> None:
    """A contact's activities, newest first, each type in words ("Email sent", "Call")."""
    with open_session() as session:
        rows, total = list_activities(session, contact_id, limit=limit)
        items = [ActivityOut.model_validate(row) for row in rows]
    if as_json:
        emit_json({"total": total, "activities": [item.model_dump(mode="json") for item in items]})
        return
    for item in items:
        typer.echo(_line(item))
    typer.echo(f"{len(items)} of {total} activities")
