"""What an integration syncs: who is in the audience, and which searches and groups become tags or interests.

The answer is a ``SyncLayout`` of SQL predicates over contacts, so the desired state is one SELECT:

- every saved search and quick list is a tag named ``tag_prefix + name``; a ``MailchimpSource`` of
  kind saved_search / target tag switches it off (``enabled=False``) or renames it (``remote_name``,
  still prefixed, so every tag we own carries the prefix);
- a group (or search) with an enabled source of target tag is a tag likewise; target interest makes it
  an interest of the integration's category (skipped, with a notice, until the interest exists);
- mode "groups": the audience is the union of the enabled target-membership sources; mode "all":
  every eligible contact.
- initial sync "new-only": in groups mode only memberships that began after the integration was
  added count (for a saved search, which has no membership dates, only contacts created after it);
  in mode all, only contacts created after it. Everyone already there when it was added stays out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, false, or_
from sqlalchemy.orm import Session

from constituent.crm.errors import InvalidInput
from constituent.crm.searches.filters import FilterError
from constituent.crm.searches.models import SavedSearch
from constituent.crm.searches.service import list_searches
from constituent.integrations.mailchimp import repository
from constituent.integrations.mailchimp.merge_fields.catalog import MappedField
from constituent.integrations.mailchimp.merge_fields.service import mapped_fields
from constituent.integrations.mailchimp.models import (
    InitialSync,
    MailchimpIntegration,
    MailchimpSource,
    SourceKind,
    SourceTarget,
    SyncMode,
)
from constituent.integrations.mailchimp.remote_names import remote_name
from constituent.integrations.mailchimp.sync import desired_repository as repo
from constituent.integrations.mailchimp.sync.candidates import both_predicates_on
from constituent.integrations.mailchimp.sync.desired_repository import Predicate
from constituent.integrations.mailchimp.sync.types import Notice


@dataclass(frozen=True)
class Flag:
    """A yes/no fact about a contact that becomes a tag (``name``) or an interest (``name`` = its id)."""

    name: str
    predicate: Predicate
    origin: str  # "search:12" or "group:3": what the flag follows, for the layout's fingerprint
    # The search behind it, when its members can change without any contact row changing.
    search: SavedSearch | None = None
    # The same fact with a search's subqueries tied to each contact (None: ``predicate`` already is):
    # what a statement reading a slice of the contacts uses (see ``SyncLayout.for_a_slice``).
    per_contact: Predicate | None = None

    @property
    def slice_predicate(self) -> Predicate:
        return self.per_contact if self.per_contact is not None else self.predicate


@dataclass(frozen=True)
class SyncLayout:
    audience: Predicate  # eligible contacts that belong in the audience
    tags: tuple[Flag, ...]
    interests: tuple[Flag, ...]
    membership_searches: tuple[SavedSearch, ...]  # saved searches deciding membership (groups mode)
    notices: tuple[Notice, ...]
    config: str  # fingerprint of everything above except the search definitions
    merge_fields: tuple[MappedField, ...] = ()  # contact fields mapped onto extra merge fields
    # Tags we no longer give that the user chose to leave on the members (see planner.PlanOptions).
    left_tags: frozenset[str] = frozenset()
    # ``audience`` with its searches' subqueries tied to each contact (None: ``audience`` already is).
    per_contact_audience: Predicate | None = None

    @property
    def slice_audience(self) -> Predicate:
        """The audience for a statement that reads a slice of the contacts (a sync's slice, its
        candidates): each search costs a keyed probe per contact read, not a pass over its tables."""
        return self.per_contact_audience if self.per_contact_audience is not None else self.audience

    @property
    def owned_tags(self) -> frozenset[str]:
        return frozenset(flag.name for flag in self.tags)

    @property
    def managed_interests(self) -> tuple[str, ...]:
        return tuple(sorted({flag.name for flag in self.interests}))

    @property
    def merge_field_types(self) -> dict[str, str]:
        """The mapped merge fields, tag -> Mailchimp type (compared like FNAME and LNAME)."""
        return {mapped.tag: mapped.field.mc_type for mapped in self.merge_fields}


def layout_for(session: Session, integration: MailchimpIntegration, today: date) -> SyncLayout:
    searches = {search.id: search for search in list_searches(session, today=today)}
    sources = [source for source in integration.sources if source.enabled]
    names = repo.group_names(session, {s.group_id for s in sources if s.group_id is not None})
    builder = _Builder(session, integration, today, searches, names)
    tags = builder.search_tags() + builder.source_flags(sources, SourceTarget.tag)
    interests = builder.source_flags(sources, SourceTarget.interest)
    (audience, per_contact_audience), membership_searches = builder.audience(sources)
    merge_fields = mapped_fields(session, integration.id)
    config = _config(integration, tags, interests, sources, merge_fields)
    return SyncLayout(
        audience,
        tuple(tags),
        tuple(interests),
        membership_searches,
        tuple(builder.notices),
        config,
        merge_fields,
        repository.left_tags(session, integration.id),
        per_contact_audience,
    )


class _Builder:
    def __init__(
        self,
        session: Session,
        integration: MailchimpIntegration,
        today: date,
        searches: dict[int, SavedSearch],
        group_names: dict[int, str],
    ) -> None:
        self.session, self.integration, self.today = session, integration, today
        self.searches, self.group_names = searches, group_names
        self.notices: list[Notice] = []

    def tag_name(self, chosen: str, default: str) -> str:
        return remote_name(self.integration.tag_prefix, SourceTarget.tag, chosen, default)

    def search_predicate(self, search: SavedSearch) -> tuple[Predicate, Predicate]:
        """The search's predicate, computed over the whole table once per statement, and per contact."""
        return both_predicates_on(self.session, search, self.today)

    def search_tags(self) -> list[Flag]:
        settings = {
            source.saved_search_id: source
            for source in self.integration.sources
            if source.kind is SourceKind.saved_search and source.target is SourceTarget.tag
        }
        tags = []
        for search in self.searches.values():
            source = settings.get(search.id)
            if source is not None and not source.enabled:
                continue
            name = self.tag_name(source.remote_name if source is not None else "", search.name)
            try:
                predicate, per_contact = self.search_predicate(search)
            except FilterError as exc:
                # Stored before a rule it breaks (e.g. the size limit): skip its tag, sync the rest.
                self.notices.append(Notice("search_failed", _unusable(search, name, exc)))
                continue
            tags.append(Flag(name, predicate, f"search:{search.id}", search, per_contact))
        return tags

    def source_flags(self, sources: Sequence[MailchimpSource], target: SourceTarget) -> list[Flag]:
        """Groups chosen as tags or interests (searches as tags are covered by ``search_tags``)."""
        flags = []
        for source in sources:
            if source.target is not target:
                continue
            if source.kind is SourceKind.group and source.group_id is not None:
                default = self.group_names.get(source.group_id, "")
                members, origin = repo.in_group(source.group_id), f"group:{source.group_id}"
                per_contact: Predicate | None = repo.in_group(source.group_id, per_contact=True)
                search = None
            elif target is SourceTarget.interest and source.saved_search_id in self.searches:
                # A saved search (smart group) as an interest: its members tick it.
                search = self.searches[source.saved_search_id or 0]
                default = search.name
                (members, per_contact), origin = self.search_predicate(search), f"search:{search.id}"
            else:
                continue
            name = source.remote_name.strip() or default
            if target is SourceTarget.tag:
                tag = self.tag_name(source.remote_name, default)
                flags.append(Flag(tag, members, origin, per_contact=per_contact))
            elif source.interest_id:
                flags.append(Flag(source.interest_id, members, origin, search, per_contact))
            else:
                message = (
                    f"{name!r} is chosen as an interest, but the interest is not created in "
                    "Mailchimp yet; skipped."
                )
                self.notices.append(Notice("interest_missing", message))
        return flags

    def audience(
        self, sources: Sequence[MailchimpSource]
    ) -> tuple[tuple[Predicate, Predicate | None], tuple[SavedSearch, ...]]:
        """Who belongs in the audience, over the whole table and per contact (None: the same), and the
        searches that decide it (groups mode)."""
        since = self.integration.created_at if self.integration.initial_sync is InitialSync.new_only else None
        if self.integration.mode is SyncMode.all_individuals:
            return (and_(repo.eligible(), *([repo.created_after(since)] if since else [])), None), ()
        whole: list[Predicate] = []
        per_contact: list[Predicate] = []
        searches: list[SavedSearch] = []
        for source in sources:
            if source.target is not SourceTarget.membership:
                continue
            if source.kind is SourceKind.group and source.group_id is not None:
                whole.append(repo.in_group(source.group_id, added_after=since))
                per_contact.append(repo.in_group(source.group_id, added_after=since, per_contact=True))
            elif (search := self.searches.get(source.saved_search_id or 0)) is not None:
                # A search has no dates of joining: "new" means contacts created after the integration.
                new = [repo.created_after(since)] if since else []
                both = self._membership_predicate(search)
                whole.append(and_(both[0], *new))
                per_contact.append(and_(both[1], *new))
                searches.append(search)
        audience = and_(repo.eligible(), or_(false(), *whole))
        sliced = and_(repo.eligible(), or_(false(), *per_contact))
        return (audience, sliced), tuple(searches)

    def _membership_predicate(self, search: SavedSearch) -> tuple[Predicate, Predicate]:
        try:
            return self.search_predicate(search)
        except FilterError as exc:
            # Leaving it out would archive its members: the run stops instead, saying which search.
            raise InvalidInput(
                "saved_search",
                f"The saved search {search.name!r} decides who is in the audience but cannot be "
                f"evaluated: {exc.message}. Change it, then sync again.",
            ) from exc


def _unusable(search: SavedSearch, tag: str, exc: FilterError) -> str:
    return (
        f"The saved search {search.name!r} cannot be evaluated ({exc.message}); "
        f"its tag {tag!r} was not updated. Change the search to bring the tag up to date."
    )


def _config(
    integration: MailchimpIntegration,
    tags: Sequence[Flag],
    interests: Sequence[Flag],
    sources: Sequence[MailchimpSource],
    merge_fields: Sequence[MappedField] = (),
) -> str:
    """A digest of what decides each member's shape; when it changes, every member must be rebuilt."""
    membership = sorted(
        (s.kind.value, s.group_id or 0, s.saved_search_id or 0)
        for s in sources
        if s.target is SourceTarget.membership
    )
    described: dict[str, Any] = {
        "mode": integration.mode.value,
        "initial_sync": integration.initial_sync.value,
        "created_at": integration.created_at.isoformat(),
        "tags": sorted((flag.name, flag.origin) for flag in tags),
        "interests": sorted((flag.name, flag.origin) for flag in interests),
        "membership": membership,
    }
    if merge_fields:
        # Only when there are some: the digest of an integration without mappings stays as it was.
        described["merge_fields"] = sorted((m.tag, m.field.name, m.field.mc_type) for m in merge_fields)
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()[:32]
