"""What the audience carries besides members: saved searches as tags, groups as tags, interests or
membership. Every saved search and quick list is a tag unless switched off; groups are mapped explicitly.

The sync reads these rows (``sync/tagging.py``); changing them changes the layout, so the next run
looks at every member again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from constituent.crm.errors import InvalidInput
from constituent.crm.groups.service import get_group
from constituent.crm.searches.service import get_search, list_searches
from constituent.integrations.mailchimp import repository
from constituent.integrations.mailchimp.audience import ensure_interest
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.credentials import credentials_for
from constituent.integrations.mailchimp.models import (
    MailchimpIntegration,
    MailchimpSource,
    SourceKind,
    SourceTarget,
)
from constituent.integrations.mailchimp.remote_names import remote_name
from constituent.kit.crypto import SecretBox

MAX_TAG_LENGTH = 100  # Mailchimp's limit on a tag name


@dataclass(frozen=True)
class Mapping:
    kind: str  # "saved_search" | "group"
    source_id: int
    source_name: str
    target: str  # "tag" | "interest" | "membership"
    remote_name: str  # the tag or interest as Mailchimp shows it ("" for membership)
    enabled: bool
    interest_id: str | None = None


def list_mappings(session: Session, integration: MailchimpIntegration, today: date) -> list[Mapping]:
    rows = [
        _search_mapping(integration, search.id, search.name) for search in list_searches(session, today=today)
    ]
    for source in integration.sources:
        if source.kind == SourceKind.group and source.group_id is not None:
            name = get_group(session, source.group_id).name
            remote = _remote_name(integration, source, name)
            rows.append(
                Mapping(
                    "group",
                    source.group_id,
                    name,
                    source.target.value,
                    remote,
                    source.enabled,
                    source.interest_id,
                )
            )
        elif source.kind == SourceKind.saved_search and source.target == SourceTarget.membership:
            assert source.saved_search_id is not None
            name = get_search(session, source.saved_search_id).name
            rows.append(
                Mapping("saved_search", source.saved_search_id, name, "membership", "", source.enabled)
            )
    return rows


def _search_mapping(integration: MailchimpIntegration, search_id: int, name: str) -> Mapping:
    source = next(
        (
            s
            for s in integration.sources
            if s.kind == SourceKind.saved_search
            and s.saved_search_id == search_id
            and s.target == SourceTarget.tag
        ),
        None,
    )
    enabled = source.enabled if source else True
    return Mapping("saved_search", search_id, name, "tag", _remote_name(integration, source, name), enabled)


def _remote_name(integration: MailchimpIntegration, source: MailchimpSource | None, name: str) -> str:
    """How Mailchimp shows it (a search without a source row is a tag under its own name)."""
    if source is None:
        return remote_name(integration.tag_prefix, SourceTarget.tag, "", name)
    return remote_name(integration.tag_prefix, source.target, source.remote_name, name)


def set_search_tag(
    session: Session,
    integration: MailchimpIntegration,
    search_id: int,
    *,
    enabled: bool,
    name: str | None = None,
) -> MailchimpSource:
    """Switch a saved search's tag on or off, or rename it (the prefix still applies)."""
    get_search(session, search_id)
    source = repository.find_source(session, integration.id, SourceTarget.tag, saved_search_id=search_id)
    if source is None:
        source = repository.add_source(
            session,
            MailchimpSource(
                integration_id=integration.id,
                kind=SourceKind.saved_search,
                saved_search_id=search_id,
                target=SourceTarget.tag,
            ),
        )
    source.enabled = enabled
    if name is not None:
        source.remote_name = _checked_name(integration.tag_prefix, name)
    session.flush()
    return source


def set_tag_prefix(session: Session, integration: MailchimpIntegration, prefix: str) -> None:
    if len(prefix) > 50:
        raise InvalidInput("tag_prefix", "at most 50 characters")
    integration.tag_prefix = prefix
    session.flush()


async def map_group(
    session: Session,
    box: SecretBox,
    integration: MailchimpIntegration,
    group_id: int,
    target: SourceTarget,
    name: str | None = None,
) -> MailchimpSource:
    """Map a group as a tag, an interest (created in Mailchimp when missing) or a membership source."""
    group = get_group(session, group_id)
    chosen = _checked_name(integration.tag_prefix, name) if name is not None else ""
    interest_id = None
    if target == SourceTarget.interest:
        if not integration.interest_category_id:
            raise InvalidInput(
                "target", "this audience has no interest category yet; reconnect the integration"
            )
        async with MailchimpClient(credentials_for(integration, box)) as client:
            interest_id = await ensure_interest(
                client,
                integration.audience_id,
                integration.interest_category_id,
                remote_name(integration.tag_prefix, target, chosen, group.name),
            )
    source = repository.find_source(session, integration.id, target, group_id=group_id)
    if source is None:
        source = repository.add_source(
            session,
            MailchimpSource(
                integration_id=integration.id, kind=SourceKind.group, group_id=group_id, target=target
            ),
        )
    source.enabled = True
    source.remote_name = chosen
    source.interest_id = interest_id
    session.flush()
    return source


def unmap_group(
    session: Session, integration: MailchimpIntegration, group_id: int, target: SourceTarget
) -> None:
    """Stop mapping a group. Tags and interests already in Mailchimp stay (members keep what they carry)."""
    source = repository.find_source(session, integration.id, target, group_id=group_id)
    if source is None:
        raise InvalidInput("group_id", f"group {group_id} is not mapped as {target.value}")
    repository.delete_source(session, source)


def _checked_name(prefix: str, name: str) -> str:
    """A tag or interest name as stored (without the prefix, which the sync adds to tags)."""
    cleaned = name.strip()
    if not cleaned:
        raise InvalidInput("name", "a tag or interest name cannot be empty")
    if len(prefix + cleaned) > MAX_TAG_LENGTH:
        raise InvalidInput("name", f"with its prefix, a name may have at most {MAX_TAG_LENGTH} characters")
    return cleaned
