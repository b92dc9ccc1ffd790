"""What `constituent mailchimp mappings`, `map-search`, `map-group`, `unmap-group`, `tag-prefix`,
`map-field` and `unmap-field` do."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

import typer
from sqlalchemy.orm import Session

from constituent.cli.context import open_session
from constituent.cli.output import emit_json, fail
from constituent.crm.errors import InvalidInput
from constituent.integrations.mailchimp import mappings, repository, service
from constituent.integrations.mailchimp.merge_fields import service as merge_fields
from constituent.integrations.mailchimp.merge_fields.schemas import MergeFieldMappingOut
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.kit.clock import today
from constituent.kit.crypto import SecretBox
from constituent.kit.settings import get_settings


def show_mappings(integration_id: int, as_json: bool) -> None:
    with open_session() as session:
        integration = service.get_integration(session, integration_id)
        rows = mappings.list_mappings(session, integration, today())
        fields = [MergeFieldMappingOut.of(m) for m in merge_fields.list_merge_fields(session, integration)]
    if as_json:
        emit_json(
            {
                "integration_id": integration_id,
                "mappings": [asdict(r) for r in rows],
                "merge_fields": [f.model_dump() for f in fields],
            }
        )
        return
    for row in rows:
        state = "on " if row.enabled else "off"
        shown = f" -> {row.remote_name!r}" if row.remote_name else ""
        left = " (left on members)" if row.left_on_members else ""
        typer.echo(f"{state} {row.kind} {row.source_id} {row.source_name!r} as {row.target}{shown}{left}")
    for field in fields:
        typer.echo(f"on  field {field.field} as merge field {field.tag} ({field.type})")


def _integration_id(session: Session, integration_id: int | None) -> int:
    """The given integration, or the only one there is."""
    if integration_id is not None:
        return service.get_integration(session, integration_id).id
    found = repository.list_all(session)
    if len(found) != 1:
        raise InvalidInput(
            "integration", f"{len(found)} integrations exist; choose one with --integration ID"
        )
    return found[0].id


@contextmanager
def _bad_input_exits_2() -> Iterator[None]:
    """A wrong field, tag or missing --integration is a usage error: exit 2, as Typer's own are."""
    try:
        yield
    except InvalidInput as exc:
        fail(str(exc), 2)


def map_field(integration_id: int | None, field: str, tag: str) -> None:
    box = SecretBox.from_settings(get_settings())
    with open_session() as session, _bad_input_exits_2():
        integration = service.get_integration(session, _integration_id(session, integration_id))
        mapping = asyncio.run(merge_fields.map_field(session, box, integration, field, tag))
        shown = f"{mapping.contact_field} -> {mapping.tag} ({mapping.type})"
    typer.echo(f"Mapped {shown}; the next sync sends it to every member.")


def unmap_field(integration_id: int | None, field: str) -> None:
    with open_session() as session, _bad_input_exits_2():
        integration = service.get_integration(session, _integration_id(session, integration_id))
        merge_fields.unmap_field(session, integration, field)
    typer.echo(f"{field} is no longer sent; the merge field and its values stay in Mailchimp.")


def map_search(integration_id: int, search_id: int, enabled: bool, name: str | None, leave: bool) -> None:
    with open_session() as session:
        integration = service.get_integration(session, integration_id)
        mappings.set_search_tag(
            session, integration, search_id, enabled=enabled, name=name, leave_on_members=leave
        )
    left = "; left on the members it is on" if leave and not enabled else ""
    typer.echo(f"Saved search {search_id}: tag {'on' if enabled else 'off'}{left}.")


def map_search_as(integration_id: int, search_id: int, target: SourceTarget, name: str | None) -> None:
    box = SecretBox.from_settings(get_settings())
    with open_session() as session, _bad_input_exits_2():
        integration = service.get_integration(session, integration_id)
        source = asyncio.run(mappings.map_search(session, box, integration, search_id, target, name))
    interest = f" (interest {source.interest_id})" if source.interest_id else ""
    typer.echo(f"Saved search {search_id} is mapped as {target.value}{interest}.")


def map_group(integration_id: int, group_id: int, target: SourceTarget, name: str | None) -> None:
    box = SecretBox.from_settings(get_settings())
    with open_session() as session:
        integration = service.get_integration(session, integration_id)
        source = asyncio.run(mappings.map_group(session, box, integration, group_id, target, name))
    interest = f" (interest {source.interest_id})" if source.interest_id else ""
    typer.echo(f"Group {group_id} is mapped as {target.value}{interest}.")


def unmap_group(integration_id: int, group_id: int, target: SourceTarget, leave: bool) -> None:
    with open_session() as session:
        integration = service.get_integration(session, integration_id)
        mappings.unmap_group(session, integration, group_id, target, leave_on_members=leave)
    if target == SourceTarget.tag and not leave:
        after = "the next sync removes its tag from the members we put it on"
    else:
        after = "Mailchimp keeps what members carry"
    typer.echo(f"Group {group_id} is no longer mapped as {target.value}; {after}.")


def set_prefix(integration_id: int, prefix: str) -> None:
    with open_session() as session:
        mappings.set_tag_prefix(session, service.get_integration(session, integration_id), prefix)
    typer.echo(f"Tags of integration {integration_id} now start with {prefix!r}.")
