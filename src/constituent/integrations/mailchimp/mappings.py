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
    SyncMode,
)
from constituent.integrations.mailchimp.remote_names import remote_name
from constituent.integrations.mailchimp.sync import desired_repository
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
    # Switched off, and the user chose to leave the tag on the members we put it on.
    left_on_members: bool = False


def list_mappings(session: Session, integration: MailchimpIntegration, today: date) -> list[Mapping]:
    left = repository.left_tags(session, integration.id)
    rows = [
        _search_mapping(integration, search.id, search.name, left)
        for search in list_searches(session, today=today)
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
        elif source.kind == SourceKind.saved_search and source.target != SourceTarget.tag:
            assert source.saved_search_id is not None
            name = get_search(session, source.saved_search_id).name
            remote = _remote_name(integration, source, name)
            rows.append(
                Mapping(
                    "saved_search",
                    source.saved_search_id,
                    name,
                    source.target.value,
                    remote,
                    source.enabled,
                    source.interest_id,
                )
            )
    return rows


def search_tag(session: Session, integration: MailchimpIntegration, search_id: int) -> Mapping:
    """The saved search's tag in this audience (every search is one unless switched off)."""
    name = get_search(session, search_id).name
    return _search_mapping(integration, search_id, name, repository.left_tags(session, integration.id))


def _search_mapping(
    integration: MailchimpIntegration, search_id: int, name: str, left: frozenset[str]
) -> Mapping:
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
    remote = _remote_name(integration, source, name)
    return Mapping(
        "saved_search",
        search_id,
        name,
        "tag",
        remote,
        enabled,
        left_on_members=not enabled and remote in left,
    )


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
    leave_on_members: bool = False,
) -> MailchimpSource:
    """Switch a saved search's tag on or off, or rename it (the prefix still applies).

    Switched off, the tag is removed from the members we put it on, unless ``leave_on_members``.
    """
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
    if source.enabled and not enabled:
        search_name = get_search(session, search_id).name
        _release_tag(session, integration, source.remote_name, search_name, leave_on_members)
    source.enabled = enabled
    if name is not None:
        source.remote_name = _checked_name(integration.tag_prefix, name)
    session.flush()
    return source


def _release_tag(
    session: Session, integration: MailchimpIntegration, chosen: str, default: str, leave: bool
) -> None:
    """We stop giving a tag: the next sync removes it from the members we put it on, or (``leave``)
    leaves it there for good, e.g. for someone who built Mailchimp segments on it."""
    tag = remote_name(integration.tag_prefix, SourceTarget.tag, chosen, default)
    if leave:
        repository.leave_tag(session, integration.id, tag)
    else:
        repository.take_tag_back(session, integration.id, tag)


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
    return await _map(
        session, box, integration, _Source(SourceKind.group, group_id, group.name), target, name
    )


def membership_would_add(session: Session, integration: MailchimpIntegration, group_id: int) -> int:
    """How many people mapping the group as membership would add to the audience (asked before saving)."""
    get_group(session, group_id)  # NotFound names the group
    return desired_repository.joining_the_audience(session, integration.id, group_id)


async def map_search(
    session: Session,
    box: SecretBox,
    integration: MailchimpIntegration,
    search_id: int,
    target: SourceTarget,
    name: str | None = None,
) -> MailchimpSource:
    """A saved search (smart group) as a tag, an interest, or a membership source (groups mode)."""
    search = get_search(session, search_id)
    if target == SourceTarget.tag:
        return set_search_tag(session, integration, search_id, enabled=True, name=name)
    source = _Source(SourceKind.saved_search, search_id, search.name)
    return await _map(session, box, integration, source, target, name)


@dataclass(frozen=True)
class _Source:
    kind: SourceKind
    id: int
    name: str

    def ids(self) -> dict[str, int]:
        return {"group_id" if self.kind == SourceKind.group else "saved_search_id": self.id}


async def _map(
    session: Session,
    box: SecretBox,
    integration: MailchimpIntegration,
    what: _Source,
    target: SourceTarget,
    name: str | None,
) -> MailchimpSource:
    if target == SourceTarget.membership and integration.mode != SyncMode.groups:
        raise InvalidInput(
            "target", "membership decides who is in the audience only in the chosen-groups sync mode"
        )
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
                remote_name(integration.tag_prefix, target, chosen, what.name),
            )
    source = repository.find_source(session, integration.id, target, **what.ids())
    if source is None:
        source = repository.add_source(
            session,
            MailchimpSource(integration_id=integration.id, kind=what.kind, target=target, **what.ids()),
        )
    source.enabled = True
    source.remote_name = chosen
    source.interest_id = interest_id
    session.flush()
    return source


def unmap_group(
    session: Session,
    integration: MailchimpIntegration,
    group_id: int,
    target: SourceTarget,
    *,
    leave_on_members: bool = False,
) -> None:
    """Stop mapping a group. Its tag is removed from the members we put it on unless ``leave_on_members``;
    interests stay in Mailchimp (members keep what they carry)."""
    source = repository.find_source(session, integration.id, target, group_id=group_id)
    if source is None:
        raise InvalidInput("group_id", f"group {group_id} is not mapped as {target.value}")
    if target == SourceTarget.tag and source.enabled:
        group_name = get_group(session, group_id).name
        _release_tag(session, integration, source.remote_name, group_name, leave_on_members)
    repository.delete_source(session, source)


def unmap_search(
    session: Session, integration: MailchimpIntegration, search_id: int, target: SourceTarget
) -> None:
    """Stop a saved search deciding membership or being an interest (its tag is switched off instead)."""
    if target == SourceTarget.tag:
        raise InvalidInput("target", "a saved search's tag is switched off, not unmapped")
    source = repository.find_source(session, integration.id, target, saved_search_id=search_id)
    if source is None:
        raise InvalidInput("search_id", f"saved search {search_id} is not mapped as {target.value}")
    repository.delete_source(session, source)


def _checked_name(prefix: str, name: str) -> str:
    """A tag or interest name as stored (without the prefix, which the sync adds to tags)."""
    cleaned = name.strip()
    if not cleaned:
        raise InvalidInput("name", "a tag or interest name cannot be empty")
    if len(prefix + cleaned) > MAX_TAG_LENGTH:
        raise InvalidInput("name", f"with its prefix, a name may have at most {MAX_TAG_LENGTH} characters")
    return cleaned
