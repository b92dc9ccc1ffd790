"""What `constituent mailchimp mappings`, `map-search`, `map-group`, `unmap-group`, `tag-prefix` do."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

import typer

from constituent.cli.context import open_session
from constituent.cli.output import emit_json
from constituent.integrations.mailchimp import mappings, service
from constituent.integrations.mailchimp.models import SourceTarget
from constituent.kit.clock import today
from constituent.kit.crypto import SecretBox
from constituent.kit.settings import get_settings


def show_mappings(integration_id: int, as_json: bool) -> None:
    with open_session() as session:
        rows = mappings.list_mappings(session, service.get_integration(session, integration_id), today())
    if as_json:
        emit_json({"integration_id": integration_id, "mappings": [asdict(r) for r in rows]})
        return
    for row in rows:
        state = "on " if row.enabled else "off"
        shown = f" -> {row.remote_name!r}" if row.remote_name else ""
        typer.echo(f"{state} {row.kind} {row.source_id} {row.source_name!r} as {row.target}{shown}")


def map_search(integration_id: int, search_id: int, enabled: bool, name: str | None) -> None:
    with open_session() as session:
        integration = service.get_integration(session, integration_id)
        mappings.set_search_tag(session, integration, search_id, enabled=enabled, name=name)
    typer.echo(f"Saved search {search_id}: tag {'on' if enabled else 'off'}.")


def map_group(integration_id: int, group_id: int, target: SourceTarget, name: str | None) -> None:
    box = SecretBox.from_settings(get_settings())
    with open_session() as session:
        integration = service.get_integration(session, integration_id)
        source = asyncio.run(mappings.map_group(session, box, integration, group_id, target, name))
    interest = f" (interest {source.interest_id})" if source.interest_id else ""
    typer.echo(f"Group {group_id} is mapped as {target.value}{interest}.")


def unmap_group(integration_id: int, group_id: int, target: SourceTarget) -> None:
    with open_session() as session:
        mappings.unmap_group(session, service.get_integration(session, integration_id), group_id, target)
    typer.echo(f"Group {group_id} is no longer mapped as {target.value}; Mailchimp keeps what members carry.")


def set_prefix(integration_id: int, prefix: str) -> None:
    with open_session() as session:
        mappings.set_tag_prefix(session, service.get_integration(session, integration_id), prefix)
    typer.echo(f"Tags of integration {integration_id} now start with {prefix!r}.")
