"""``constituent contacts``: add, CSV import and export, show and list, duplicates, merge, delete."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from constituent.cli import contact_entry
from constituent.cli.context import cli_actor, migrated_database, open_session
from constituent.cli.output import emit_json, fail
from constituent.crm.contacts import service
from constituent.crm.contacts.models import Contact
from constituent.crm.contacts.schemas import ContactOut
from constituent.crm.groups.schemas import MembershipView
from constituent.crm.groups.service import contact_groups
from constituent.crm.import_mappings import service as mappings
from constituent.crm.imports.columns import HeaderError, template_header
from constituent.crm.imports.exporter import export_csv
from constituent.crm.imports.headers import parse_mapping
from constituent.crm.imports.importer import (
    DEFAULT_CHUNK_SIZE,
    DuplicatePolicy,
    ImportOptions,
    ImportResult,
    import_csv,
)
from constituent.crm.imports.importer import Progress as ProgressCallback
from constituent.crm.imports.preview import preview
from constituent.crm.imports.source import ImportFileError
from constituent.crm.merges import service as merges
from constituent.crm.merges.schemas import MERGEABLE_FIELDS, DuplicatePair, MergeRequest
from constituent.crm.merges.service import DEFAULT_PAIRS

app = typer.Typer(
    help="Contacts: add, import, export, show, list, possible duplicates, merge, delete.",
    no_args_is_help=True,
)
app.command("add")(contact_entry.add)
app.command("add-email")(contact_entry.add_email)

JSON = typer.Option(False, "--json", help="Machine-readable output.")


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A live bar on a terminal only; pipes and --json get clean output."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns) as bar:
        task = bar.add_task("import", total=None)
        yield lambda done, expected: bar.update(task, completed=done, total=expected)


def _print_import(result: ImportResult) -> None:
    typer.echo(
        f"created {result.created}, updated {result.updated}, merged {len(result.merged)}, "
        f"skipped {len(result.skipped)}, rejected {len(result.rejected)}"
    )
    if not result.file_format.usual:
        typer.echo(result.file_format.described())
    if result.header_line > 1:
        typer.echo(f"column names read from line {result.header_line}; the lines above them were left out")
    if result.ignored_columns:
        names = ", ".join(repr(c) for c in result.ignored_columns)
        typer.echo(f"ignored column(s): {names} (read one with --map 'COLUMN=field')")
    if result.merged:
        typer.echo(f"  merged into an earlier row of the file: line(s) {_lines(result.merged)}")
    for line, contact_id in result.skipped:
        typer.echo(f"  line {line}: skipped, contact {contact_id} already has this email")
    for name, lines in result.unknown_groups.items():
        typer.echo(f"  group {name!r} does not exist (line(s) {_lines(lines)}); --create-groups creates it")
    for rejection in result.rejected:
        typer.echo(f"  line {rejection.line}: {rejection.error}")


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in sorted(lines)[:20])
    return shown + (f" and {len(lines) - 20} more" if len(lines) > 20 else "")


@app.command("import")
def import_contacts(
    file: Path | None = typer.Argument(None, help="CSV file with a header row."),
    mapping: list[str] = typer.Option(
        [],
        "--map",
        help='Read a column as a field, e.g. --map "Zip=postal_code"; "Notes=" ignores a column. Repeatable.',
    ),
    on_duplicate: DuplicatePolicy = typer.Option(
        DuplicatePolicy.update,
        help="A row whose email or external_id an existing contact has: update it, skip the row, or create "
        "a new contact anyway. Rows of one file about one person are always merged.",
    ),
    create_groups: bool = typer.Option(
        False, "--create-groups", help="Create the groups the file names that do not exist yet."
    ),
    saved_mapping: str = typer.Option(
        "",
        "--saved-mapping",
        help="Read the columns as the import mapping saved under this name (then --map).",
    ),
    save_mapping: str = typer.Option(
        "", "--save-mapping", help="Save the columns given (--saved-mapping and --map) under this name."
    ),
    template: bool = typer.Option(False, "--template", help="Print a header row that imports as is."),
    chunk_size: int = typer.Option(DEFAULT_CHUNK_SIZE, min=1, help="Rows per transaction."),
    as_json: bool = JSON,
) -> None:
    """Import contacts from any CSV: columns are matched by meaning ("First Name", "E-mail", "Zip", ...).

    The file may be UTF-8, UTF-16 with its mark, or Windows text (Excel's plain CSV), its columns
    separated by commas, semicolons or tabs; how it was read is printed when it is not UTF-8 with commas.
    A title above the column names is left out.

    A row whose email (any of a contact's, any case) or external_id is known updates that contact, so
    importing a file again never duplicates. Unknown columns are listed and left out; bad rows are
    reported by line and the good ones still import.
    """
    if template:
        typer.echo(template_header())
        return
    if file is None:
        fail("give the CSV file to import (or --template for a header that imports as is)")
    try:
        column_map = parse_mapping(mapping)
    except HeaderError as exc:
        fail(f"--map: {exc}")
    database = migrated_database()
    if saved_mapping or save_mapping:
        column_map = _saved_columns(file, saved_mapping, save_mapping, column_map)
    options = ImportOptions(column_map, on_duplicate, create_groups, chunk_size)
    with _progress_bar(sys.stdout.isatty() and not as_json) as progress:
        try:
            result = import_csv(database.sessions, file, options=options, progress=progress)
        except ImportFileError as exc:
            fail(str(exc))
    if as_json:
        emit_json(result.as_dict())
    else:
        _print_import(result)


def _saved_columns(file: Path, saved: str, save_as: str, given: dict[str, str]) -> dict[str, str]:
    """The saved mapping's columns for this file, overridden by --map; saved under ``save_as`` if given."""
    with open_session() as session:
        header = preview(file).header if file.exists() else []
        column_map = {**(mappings.mapping_named(session, saved, header) if saved else {}), **given}
        if save_as:
            mappings.save_mapping(session, save_as, column_map, cli_actor())
    return column_map


@app.command("export")
def export_contacts(
    file: Path = typer.Argument(..., help="CSV file to write."), as_json: bool = JSON
) -> None:
    """Export every contact to CSV in the import's columns.

    A cell starting with = + - @ (a spreadsheet formula) is written after an apostrophe; importing the
    file takes it off again.
    """
    try:
        with open_session() as session:
            count = export_csv(session, file)
    except OSError as exc:
        fail(f"{file}: cannot write the file: {exc.strerror or exc}")
    if as_json:
        emit_json({"exported": count, "file": str(file)})
    else:
        typer.echo(f"exported {count} contact(s) to {file}")


def _membership(view: MembershipView) -> dict[str, Any]:
    return view.model_dump(mode="json")


def _contact_json(contact: Contact) -> dict[str, Any]:
    return ContactOut.model_validate(contact).model_dump(mode="json")


@app.command()
def show(contact_id: int = typer.Argument(..., help="Contact id."), as_json: bool = JSON) -> None:
    """Show one contact: fields, emails, current groups and past groups."""
    with open_session() as session:
        payload = _contact_json(service.get_contact(session, contact_id))
        groups = contact_groups(session, contact_id)
    payload["groups"] = [_membership(v) for v in groups.current]
    payload["past_groups"] = [_membership(v) for v in groups.past]
    if as_json:
        emit_json(payload)
        return
    _print_contact(payload)


def _print_contact(payload: dict[str, Any]) -> None:
    skip = {"emails", "groups", "past_groups"}
    for field, value in payload.items():
        if field not in skip:
            typer.echo(f"{field:<18} {'' if value is None else value}")
    typer.echo("emails:")
    for email in payload["emails"]:
        marker = " (primary)" if email["is_primary"] else ""
        typer.echo(f"  [{email['id']}] {email['address']} {email['status']}{marker}")
    for title, key in (("groups:", "groups"), ("past groups:", "past_groups")):
        typer.echo(title)
        for view in payload[key]:
            ended = f", removed {view['removed_at']}" if view["removed_at"] else ""
            stint = f"{view['label']}, added {view['added_at']}{ended}"
            typer.echo(f"  [{view['membership_id']}] {view['group_name']}: {stint}")


@app.command("list")
def list_contacts(
    email: str | None = typer.Option(None, help="Only contacts with this email address."),
    search: str | None = typer.Option(None, help="Text in a name or an email address."),
    limit: int = typer.Option(50, help="At most this many (1–1000)."),
    offset: int = typer.Option(0, help="Skip this many first."),
    as_json: bool = JSON,
) -> None:
    """List contacts, optionally filtered by email or text."""
    with open_session() as session:
        contacts, total = service.list_contacts(
            session, email=email, search=search, limit=limit, offset=offset
        )
        rows = [_contact_json(c) for c in contacts]
    if as_json:
        emit_json({"total": total, "contacts": rows})
        return
    for row in rows:
        primary = next((e["address"] for e in row["emails"] if e["is_primary"]), "")
        typer.echo(f"{row['id']:>8}  {row['kind']:<12} {row['display_name']:<40} {primary}")
    typer.echo(f"{len(rows)} of {total} contact(s)")


@app.command()
def duplicates(
    limit: int = typer.Option(DEFAULT_PAIRS, min=1, max=1000, help="At most this many pairs."),
    as_json: bool = JSON,
) -> None:
    """Pairs of contacts that may be one person (same email, name and postal code, or phone), surest first."""
    with open_session() as session:
        pairs = merges.possible_duplicates(session, limit)
        names = {c.id: c.display_name for c in service.contacts_by_id(session, _ids(pairs))}
    rows = [
        {"contact_ids": [p.first_id, p.second_id], "reasons": [r.value for r in p.reasons], "score": p.score}
        for p in pairs
    ]
    if as_json:
        emit_json({"pairs": rows})
        return
    for pair in pairs:
        first, second = names.get(pair.first_id, ""), names.get(pair.second_id, "")
        why = ", ".join(r.value for r in pair.reasons)
        typer.echo(f"{pair.first_id:>8} {first:<30} {pair.second_id:>8} {second:<30} {why}")
    typer.echo(f"{len(pairs)} pair(s); merge one with: constituent contacts merge KEEP OTHER")


def _ids(pairs: list[DuplicatePair]) -> set[int]:
    return {i for p in pairs for i in (p.first_id, p.second_id)}


@app.command()
def merge(
    keep: int = typer.Argument(..., help="The contact that stays (its id and values survive)."),
    other: int = typer.Argument(..., help="The contact merged into it and then deleted."),
    take: list[str] = typer.Option(
        [], "--take", help=f"A field to take from OTHER (repeatable): {', '.join(MERGEABLE_FIELDS)}."
    ),
    as_json: bool = JSON,
) -> None:
    """Merge OTHER into KEEP: its emails, gifts, activities, groups (with history) and change log move.

    KEEP's values stay, blanks are filled from OTHER, and "do not email"/"deceased" stay set if either
    had them. In Mailchimp, the next sync keeps one member for KEEP's primary address and archives
    OTHER's (unless it is unsubscribed, cleaned or forgotten: that is left as it is).
    """
    with open_session() as session:
        outcome = merges.merge_contacts(
            session, keep, MergeRequest(other_id=other, take_from_other=take), cli_actor()
        )
        payload = _contact_json(outcome.contact)
    if as_json:
        emit_json({"contact": payload, "merged": outcome.merged_name, "moved": outcome.moved})
        return
    typer.echo(f"merged {outcome.merged_name} into {payload['display_name']} (contact {keep})")


@app.command()
def delete(
    contact_id: int = typer.Argument(..., help="Contact id."),
    yes: bool = typer.Option(False, "--yes", help="Delete without asking."),
    as_json: bool = JSON,
) -> None:
    """Delete a contact with its emails, gifts, activities and group history.

    In Mailchimp, the next sync archives the member of an address no other contact has (an unsubscribed,
    cleaned or forgotten member is left as it is); nothing is deleted there.
    """
    with open_session() as session:
        name = service.get_contact(session, contact_id).display_name
    if not yes and not typer.confirm(f"Delete {name} (contact {contact_id})?"):
        fail("nothing deleted")
    with open_session() as session:
        service.delete_contact(session, contact_id, cli_actor())
    if as_json:
        emit_json({"deleted": contact_id})
    else:
        typer.echo(f"deleted {name} (contact {contact_id})")
