"""``constituent groups``: static groups and their memberships (with history)."""

from __future__ import annotations

import typer
from pydantic import BaseModel

from constituent.cli.context import cli_actor, open_session
from constituent.cli.output import emit_json
from constituent.crm.groups import service
from constituent.crm.groups.models import MembershipMethod
from constituent.crm.groups.schemas import GroupOut

app = typer.Typer(help="Static groups and memberships.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Machine-readable output.")


@app.command()
def create(
    name: str = typer.Argument(..., help="Group name (unique; no ';')."),
    description: str = typer.Option("", help="What the group is for."),
    as_json: bool = JSON,
) -> None:
    """Create a group."""
    with open_session() as session:
        group = GroupOut.model_validate(service.create_group(session, name, description, actor=cli_actor()))
    if as_json:
        emit_json(group.model_dump(mode="json"))
    else:
        typer.echo(f"created group {group.id}: {group.name}")


@app.command("list")
def list_groups(as_json: bool = JSON) -> None:
    """List groups with their current member counts."""
    with open_session() as session:
        groups = service.list_groups(session)
    if as_json:
        emit_json([g.model_dump(mode="json") for g in groups])
        return
    for group in groups:
        typer.echo(f"{group.id:>6}  {group.name:<40} {group.member_count} member(s)")


def _print_bulk(result: BaseModel, summary: str, unknown: list[int], as_json: bool) -> None:
    if as_json:
        emit_json(result.model_dump())
        return
    typer.echo(summary)
    if unknown:
        # Not a failure of the command (the others were done), but worth a look: say it on stderr.
        typer.echo(f"no such contact(s): {' '.join(map(str, unknown))}", err=True)


@app.command()
def add(
    group_id: int = typer.Argument(..., help="Group id."),
    contact_ids: list[int] = typer.Argument(..., help="Contact ids."),
    as_json: bool = JSON,
) -> None:
    """Add contacts to a group (those already in it are left as they are)."""
    with open_session() as session:
        result = service.add_to_group(
            session, group_id, contact_ids, method=MembershipMethod.user, actor=cli_actor()
        )
    summary = f"added {len(result.added)}, already members {len(result.already_members)}"
    _print_bulk(result, summary, result.unknown, as_json)


@app.command()
def remove(
    group_id: int = typer.Argument(..., help="Group id."),
    contact_ids: list[int] = typer.Argument(..., help="Contact ids."),
    reason: str = typer.Option("", help="Why (kept on the past membership)."),
    as_json: bool = JSON,
) -> None:
    """Remove contacts from a group; each keeps it as a past group."""
    with open_session() as session:
        result = service.remove_from_group(
            session, group_id, contact_ids, method=MembershipMethod.user, actor=cli_actor(), reason=reason
        )
    summary = f"removed {len(result.removed)}, not members {len(result.not_members)}"
    _print_bulk(result, summary, result.unknown, as_json)


@app.command()
def members(
    group_id: int = typer.Argument(..., help="Group id."),
    limit: int = typer.Option(100, min=1, help="At most this many."),
    offset: int = typer.Option(0, min=0, help="Skip this many first."),
    as_json: bool = JSON,
) -> None:
    """List a group's current members."""
    with open_session() as session:
        rows, total = service.group_members(session, group_id, limit=limit, offset=offset)
    if as_json:
        emit_json({"total": total, "members": [m.model_dump(mode="json") for m in rows]})
        return
    for member in rows:
        typer.echo(
            f"{member.contact_id:>8}  {member.display_name:<40} {member.method.value} {member.added_at}"
        )
    typer.echo(f"{len(rows)} of {total} member(s)")


@app.command()
def rejoin(
    membership_id: int = typer.Argument(..., help="Id of a past membership."), as_json: bool = JSON
) -> None:
    """Put a contact back into the group of a past membership (a new membership; the old one stays).

    Says so when a Mailchimp audience fed by the group will not take the person back (e.g. unsubscribed).
    """
    from constituent.integrations.mailchimp.group_refusals import refusals_for_group

    with open_session() as session:
        membership = service.rejoin_group(
            session, membership_id, method=MembershipMethod.user, actor=cli_actor()
        )
        refusals = refusals_for_group(session, membership.group_id, [membership.contact_id])
        payload = {
            "membership_id": membership.id,
            "group_id": membership.group_id,
            "contact_id": membership.contact_id,
            "mailchimp_refusals": [refusal.model_dump() for refusal in refusals],
        }
    if as_json:
        emit_json(payload)
        return
    typer.echo(f"contact {payload['contact_id']} rejoined group {payload['group_id']}")
    for refusal in refusals:
        audience, email = refusal.audience_name, refusal.email
        typer.echo(f"Mailchimp audience {audience} will not take {email} back: {refusal.message}")


@app.command("delete-membership")
def delete_membership(membership_id: int = typer.Argument(..., help="Id of a past membership.")) -> None:
    """Delete a past membership from a contact's history (current ones must be removed first)."""
    with open_session() as session:
        service.delete_past_membership(session, membership_id, cli_actor())
    typer.echo(f"deleted membership {membership_id}")
