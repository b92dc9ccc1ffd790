"""``constituent searches``: saved searches (smart groups) and the built-in quick lists."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import typer

from constituent.cli.context import open_session
from constituent.cli.output import emit_json, fail
from constituent.crm.searches import service
from constituent.crm.searches.filters import FilterError
from constituent.crm.searches.schemas import SavedSearchCreate, SavedSearchOut
from constituent.kit import clock

app = typer.Typer(help="Saved searches and quick lists.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Machine-readable output.")
TODAY = typer.Option(None, "--today", help="Evaluate as of this date (YYYY-MM-DD); default: today (UTC).")
# A bad filter is a usage error, like a bad option: exit 2, as Typer itself does.
BAD_FILTER_EXIT = 2


@contextmanager
def bad_filters_reported() -> Iterator[None]:
    try:
        yield
    except FilterError as exc:
        fail(str(exc), BAD_FILTER_EXIT)


def parse_filter_option(text: str) -> dict[str, Any]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"--filter is not valid JSON: {exc}", BAD_FILTER_EXIT)
    if not isinstance(raw, dict):
        fail('--filter must be a JSON object such as {"all": [...]}', BAD_FILTER_EXIT)
    return raw


def as_of(today: str | None) -> date:
    if today is None:
        return clock.today()
    try:
        return date.fromisoformat(today)
    except ValueError:
        fail(f"--today {today!r} is not a date (YYYY-MM-DD)", BAD_FILTER_EXIT)


@app.command()
def create(
    name: str = typer.Argument(..., help="Name of the saved search (unique)."),
    filter_json: str = typer.Option(..., "--filter", help='Filter tree as JSON, e.g. {"all": [...]}.'),
    description: str = typer.Option("", help="What the search is for."),
    as_json: bool = JSON,
) -> None:
    """Save a search; the filter is checked first and any mistake is named.

    A search has at most 100 conditions and 1,000 values in all (each item of an "in" list counts).
    """
    raw = parse_filter_option(filter_json)
    with open_session() as session, bad_filters_reported():
        data = SavedSearchCreate(name=name, description=description, filter=raw)
        search = SavedSearchOut.model_validate(service.create_search(session, data))
    if as_json:
        emit_json(search.model_dump(mode="json"))
    else:
        typer.echo(f"created saved search {search.id}: {search.name}")


@app.command()
def run(
    search_id: int = typer.Argument(..., help="Saved search id."),
    limit: int | None = typer.Option(None, min=0, help="Print at most this many ids."),
    offset: int = typer.Option(0, min=0, help="Skip this many ids first."),
    today: str | None = TODAY,
    as_json: bool = JSON,
) -> None:
    """Print the ids of the matching contacts and how many match."""
    with open_session() as session, bad_filters_reported():
        result = service.run_search(session, search_id, as_of(today), limit=limit, offset=offset)
    if as_json:
        emit_json(result.model_dump())
        return
    for contact_id in result.contact_ids:
        typer.echo(contact_id)
    typer.echo(f"{result.count} contact(s) match", err=True)


@app.command("list")
def list_searches(as_json: bool = JSON, today: str | None = TODAY) -> None:
    """List saved searches, the built-in quick lists first."""
    with open_session() as session:
        searches = [
            SavedSearchOut.model_validate(s) for s in service.list_searches(session, today=as_of(today))
        ]
    if as_json:
        emit_json([search.model_dump(mode="json") for search in searches])
        return
    for search in searches:
        marker = " (quick list)" if search.is_quick_list else ""
        typer.echo(f"{search.id:>6}  {search.name}{marker}")


@app.command()
def delete(
    search_id: int = typer.Argument(..., help="Saved search id."),
    leave_tags_on_members: bool = typer.Option(
        False, "--leave-tag-on-members", help="Leave its Mailchimp tag on the members instead of removing it."
    ),
) -> None:
    """Delete a saved search (quick lists cannot be deleted).

    Its Mailchimp tag is taken off the members at the next sync unless --leave-tag-on-members; a search
    that decides an audience's membership is refused until it is unmapped.
    """
    from constituent.integrations.mailchimp import source_deletion

    with open_session() as session:
        source_deletion.delete_search(session, search_id, leave_tags_on_members=leave_tags_on_members)
    typer.echo(f"deleted saved search {search_id}")
