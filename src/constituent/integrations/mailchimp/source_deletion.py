"""Deleting a group or saved search that Mailchimp mappings use: the one place that decides what happens.

- One that decides audience membership (or is an interest) is refused, saying how many subscribed members
  the next sync would archive, until it is unmapped: otherwise the integration would silently lose it
  (the mapping rows go with it) and, for a group, its "Removed (by API)" history would be erased.
- One sent as a tag is deleted; the next sync takes the tag off the members we put it on, unless the user
  chose to leave it there (``leave_tags_on_members``).

Boundaries (REST, CLI, pages) call these instead of the CRM services' own delete functions.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.crm.errors import Conflict
from constituent.crm.groups import service as groups
from constituent.crm.searches import service as searches
from constituent.integrations.mailchimp import mappings, repository
from constituent.integrations.mailchimp.models import MailchimpIntegration, MailchimpSource, SourceTarget
from constituent.integrations.mailchimp.sync import ledger
from constituent.kit.clock import today

_FEEDING = (SourceTarget.membership, SourceTarget.interest)


class SourceInUse(Conflict):
    """The group or saved search decides an audience's membership or is an interest: unmap it first."""


def delete_group(session: Session, group_id: int, *, actor: str, leave_tags_on_members: bool = False) -> None:
    group = groups.get_group(session, group_id)
    for integration, source in _sources(session, group_id=group_id):
        if source.target in _FEEDING:
            members = groups.group_member_ids(session, group_id)
            _refuse(session, integration, source, f"The group {group.name!r}", members)
    for integration, source in _sources(session, group_id=group_id):
        if source.target == SourceTarget.tag:
            mappings.unmap_group(
                session, integration, group_id, SourceTarget.tag, leave_on_members=leave_tags_on_members
            )
    groups.delete_group(session, group_id, actor=actor)


def delete_search(session: Session, search_id: int, *, leave_tags_on_members: bool = False) -> None:
    search = searches.get_search(session, search_id)
    for integration, source in _sources(session, saved_search_id=search_id):
        if source.target in _FEEDING:
            members = searches.run_search(session, search_id, today()).contact_ids
            _refuse(session, integration, source, f"The saved search {search.name!r}", members)
    for integration in repository.list_all(session):
        tag = mappings.search_tag(session, integration, search_id)
        if tag.enabled:
            mappings.set_search_tag(
                session, integration, search_id, enabled=False, leave_on_members=leave_tags_on_members
            )
    searches.delete_search(session, search_id)


def _sources(
    session: Session, *, group_id: int | None = None, saved_search_id: int | None = None
) -> list[tuple[MailchimpIntegration, MailchimpSource]]:
    found = []
    for integration in repository.list_all(session):
        for source in integration.sources:
            mine = (
                source.group_id == group_id
                if group_id is not None
                else source.saved_search_id == saved_search_id
            )
            if mine and source.enabled:
                found.append((integration, source))
    return found


def _refuse(
    session: Session,
    integration: MailchimpIntegration,
    source: MailchimpSource,
    what: str,
    contact_ids: list[int],
) -> None:
    audience = integration.audience_name or integration.audience_id
    if source.target == SourceTarget.membership:
        count = ledger.count_subscribed_contacts(session, integration.id, contact_ids)
        role = (
            f"decides who is in the Mailchimp audience {audience}: without it the next sync would archive up "
            f"to {count} subscribed member{'s' if count != 1 else ''} there"
        )
    else:
        role = f"is an interest in the Mailchimp audience {audience}"
    raise SourceInUse(
        f"{what} {role}. Unmap it on the Mailchimp page (Tags and interests) first, then delete it."
    )
