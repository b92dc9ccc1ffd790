"""Interests follow their group's (or saved search's) name: one rule, applied at every sync that writes.

An interest is matched by its id, never by its name, so renaming the group in the CRM renames the same
interest in Mailchimp (members keep it ticked; segments built on it keep working). A name chosen for the
mapping wins over the group's own, as everywhere (``remote_names.remote_name``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.crm.groups.service import get_group
from constituent.crm.searches.service import get_search
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.models import MailchimpIntegration, SourceTarget
from constituent.integrations.mailchimp.remote_names import remote_name
from constituent.integrations.mailchimp.responses import Interest, InterestsPage


def wanted_names(session: Session, integration: MailchimpIntegration) -> dict[str, str]:
    """The name each of our interests should carry in Mailchimp, by interest id."""
    wanted = {}
    for source in integration.sources:
        if source.target is not SourceTarget.interest or not source.enabled or not source.interest_id:
            continue
        if source.group_id is not None:
            own = get_group(session, source.group_id).name
        elif source.saved_search_id is not None:
            own = get_search(session, source.saved_search_id).name
        else:
            continue
        wanted[source.interest_id] = remote_name(
            integration.tag_prefix, source.target, source.remote_name, own
        )
    return wanted


async def current_names(
    client: MailchimpClient, audience_id: str, category_id: str | None, wanted: dict[str, str]
) -> dict[str, str]:
    """Each interest of the category with the name Mailchimp shows (nothing to read when none is ours)."""
    if not wanted or not category_id:
        return {}
    path = _interests_path(audience_id, category_id)
    return {interest.id: interest.name for interest in await client.collect(path, InterestsPage)}


async def follow_renames(
    client: MailchimpClient,
    audience_id: str,
    category_id: str | None,
    wanted: dict[str, str],
    current: dict[str, str],
) -> int:
    """Rename in Mailchimp every interest whose name (``current``: ``current_names``) differs from the one
    wanted; returns how many."""
    renamed = 0
    for interest_id, name in current.items():
        new_name = wanted.get(interest_id)
        if new_name is not None and name != new_name:
            path = f"{_interests_path(audience_id, category_id)}/{interest_id}"
            await client.send_model("PATCH", path, Interest, {"name": new_name})
            renamed += 1
    return renamed


def _interests_path(audience_id: str, category_id: str | None) -> str:
    return f"/lists/{audience_id}/interest-categories/{category_id}/interests"
