"""The Mailchimp page's Audience content tab, "Tags and interests": one table, a row per saved search (or
quick list) and per group, each edited in its row: how it is synced, its name in Mailchimp, one Save. Other
mappings of a row (a search also as an interest, a group also as a tag) sit beside it. The tag prefix."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from constituent.crm.errors import InvalidInput
from constituent.crm.groups.service import get_group, list_groups
from constituent.crm.searches.service import get_search
from constituent.integrations.mailchimp import mappings, service
from constituent.integrations.mailchimp.errors import MailchimpError
from constituent.integrations.mailchimp.mappings import Mapping
from constituent.integrations.mailchimp.models import MailchimpIntegration, SourceTarget, SyncMode
from constituent.kit.clock import today
from constituent.kit.crypto import SecretBox
from constituent.kit.numbers import DbInt
from constituent.kit.settings import Settings
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, AdminDep, SettingsDep
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)
MAPPINGS_PATH = "/integrations/mailchimp/{integration_id:int}/mappings"


@dataclass(frozen=True)
class SearchTag:
    mapping: Mapping
    name: str  # the tag's name without the prefix, as the rename form shows it


@dataclass(frozen=True)
class GroupRow:
    group_id: int
    name: str
    mappings: list[Mapping]
    tag_prefix: str = ""

    @property
    def primary(self) -> Mapping | None:
        """The mapping the row edits in place (the first made); the others are listed beside it."""
        return self.mappings[0] if self.mappings else None

    @property
    def own_name(self) -> str:
        """The name box's value: the name in Mailchimp as typed, without the tag prefix the sync adds."""
        primary = self.primary
        if primary is None:
            return ""
        if primary.target == SourceTarget.tag.value:
            return primary.remote_name.removeprefix(self.tag_prefix)
        return primary.remote_name


def _targets(integration: MailchimpIntegration) -> list[SourceTarget]:
    """Membership decides who is in the audience, which only groups mode lets groups do."""
    if integration.mode == SyncMode.groups:
        return list(SourceTarget)
    return [SourceTarget.tag, SourceTarget.interest]


def mapping_context(session: Session, integration: MailchimpIntegration) -> dict[str, Any]:
    """What the page's "Tags and interests" section shows."""
    rows = mappings.list_mappings(session, integration, today())
    prefix = len(integration.tag_prefix)
    by_group: dict[int, list[Mapping]] = {}
    by_search: dict[int, list[Mapping]] = {}
    for row in rows:
        if row.kind == "group":
            by_group.setdefault(row.source_id, []).append(row)
        elif row.target != SourceTarget.tag:
            by_search.setdefault(row.source_id, []).append(row)
    return {
        "search_tags": [
            SearchTag(row, row.remote_name[prefix:])
            for row in rows
            if row.kind == "saved_search" and row.target == SourceTarget.tag
        ],
        "group_rows": [
            GroupRow(g.id, g.name, by_group.get(g.id, []), integration.tag_prefix)
            for g in list_groups(session)
        ],
        "group_targets": [target.value for target in _targets(integration)],
        # A saved search (smart group) may also be an interest, or decide membership in groups mode.
        "search_mappings": by_search,
        "search_targets": [t.value for t in _targets(integration) if t != SourceTarget.tag],
    }


def _back(integration_id: DbInt) -> RedirectResponse:
    return RedirectResponse(f"/integrations/mailchimp/{integration_id}/content", status_code=303)


def _apply(
    request: Request, session: Session, integration_id: DbInt, change: Callable[[], str]
) -> RedirectResponse:
    """Make the change and flash what it did, or roll back all it flushed and flash why it was refused,
    so nothing is half-stored."""
    try:
        message = change()
    except (InvalidInput, MailchimpError) as exc:
        session.rollback()
        flash(request, "error", f"Not changed. {exc}")
    else:
        flash(request, "success", message)
    return _back(integration_id)


def _map(
    settings: Settings,
    target: str,
    allowed: Sequence[SourceTarget],
    name: str,
    mapped: Callable[[SecretBox, SourceTarget, str | None], Coroutine[Any, Any, object]],
) -> SourceTarget:
    """A group or saved search mapped as the chosen target (blank name: its own name). Mapping as an
    interest creates it in Mailchimp; Mailchimp's refusal is flashed as it said it (``_apply``)."""
    chosen = _target(target, allowed)
    asyncio.run(mapped(SecretBox.from_settings(settings), chosen, name if name.strip() else None))
    return chosen


def _target(value: str, allowed: Sequence[SourceTarget]) -> SourceTarget:
    if value not in {target.value for target in allowed}:
        names = ", ".join(target.value for target in allowed)
        raise InvalidInput("target", f"{value!r} is not one of {names}")
    return SourceTarget(value)


@router.post(MAPPINGS_PATH + "/searches/{search_id:int}")
def set_search_tag(
    integration_id: DbInt,
    search_id: DbInt,
    request: Request,
    _user: AdminDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=300)] = "",
    enabled: Annotated[str, Form(max_length=10)] = "",
    leave: Annotated[str, Form(max_length=10)] = "",
    synced: Annotated[str, Form(max_length=10)] = "",
) -> RedirectResponse:
    """The row's Save. Its select says how the search is synced ("tag", "off", "left"); without it (an
    older form) the two checkboxes "enabled" and "leave" do."""
    if synced:
        enabled, leave = ("on" if synced == "tag" else ""), ("on" if synced == "left" else "")
    integration = service.get_integration(session, integration_id)
    tags = mapping_context(session, integration)["search_tags"]
    current = next((t for t in tags if t.mapping.source_id == search_id), None)

    def change() -> str:
        # An unchanged name is not stored, so the tag keeps following the search's own name.
        rename = None if current is not None and name == current.name else name
        # An unticked checkbox is not sent at all, so absent means off.
        on, left = enabled == "on", leave == "on"
        mappings.set_search_tag(
            session, integration, search_id, enabled=on, name=rename, leave_on_members=left
        )
        label = current.mapping.source_name if current is not None else f"Saved search {search_id}"
        state = "is sent as a tag" if on else _switched_off(left)
        return f"{label} {state} from the next sync on."

    return _apply(request, session, integration_id, change)


def _tag_fate(left: bool) -> str:
    return "keep the tag" if left else "lose the tag at the next sync"


def _switched_off(left: bool) -> str:
    if left:
        return "is no longer sent as a tag; members keep the tag"
    return "is no longer sent as a tag and is taken off the members we put it on"


@router.post(MAPPINGS_PATH + "/prefix")
def set_tag_prefix(
    integration_id: DbInt,
    request: Request,
    _user: AdminDep,
    session: SessionDep,
    prefix: Annotated[str, Form(max_length=300)] = "",
) -> RedirectResponse:
    integration = service.get_integration(session, integration_id)

    def change() -> str:
        mappings.set_tag_prefix(session, integration, prefix)
        return f"Tags now start with {prefix!r} from the next sync on."

    return _apply(request, session, integration_id, change)


# The group row's select: not synced, or not synced with the tag left on the members.
_OFF = {"off": False, "left": True}


@router.post(MAPPINGS_PATH + "/groups/{group_id:int}", response_model=None)
def map_group(
    integration_id: DbInt,
    group_id: DbInt,
    request: Request,
    user: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    target: Annotated[str, Form(max_length=20)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    confirmed: Annotated[str, Form(max_length=10)] = "",
    current: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse | HTMLResponse:
    """Map a group as the chosen target. From the group's row, ``current`` is what the row showed: another
    target replaces it, "off" or "left" stops it. Without ``current`` (the "Also as" form) it adds one."""
    integration = service.get_integration(session, integration_id)
    if target in _OFF:
        return _apply(
            request, session, integration_id, lambda: _stop(session, integration, group_id, current, target)
        )
    membership = SourceTarget.membership
    if target == membership.value and membership in _targets(integration) and confirmed != "yes":
        # Membership decides who is in the audience: say how many that adds, and save only once confirmed.
        adds = mappings.membership_would_add(session, integration, group_id)
        context = {
            "integration": integration,
            "group": get_group(session, group_id),
            "name": name,
            "current": current,
            "adds": adds,
            "action": f"/integrations/mailchimp/{integration_id}/mappings/groups/{group_id}",
        }
        return render(request, "integrations/mailchimp_confirm_membership.html", context, user=user)

    def change() -> str:
        def mapped(box: SecretBox, chosen: SourceTarget, remote: str | None) -> Coroutine[Any, Any, object]:
            return mappings.map_group(session, box, integration, group_id, chosen, remote)

        label = get_group(session, group_id).name
        replaced = _replaced(session, integration, group_id, current, target)
        # The group's own name typed back is not stored, so the name keeps following the group's.
        chosen = _map(settings, target, _targets(integration), "" if name.strip() == label else name, mapped)
        instead = f" instead of {replaced}" if replaced else ""
        return f"{label} is synced as {chosen.value}{instead} from the next sync on."

    return _apply(request, session, integration_id, change)


def _replaced(
    session: Session, integration: MailchimpIntegration, group_id: int, current: str, target: str
) -> str:
    """Unmap what the row showed when another target was chosen for it (a tag is taken off the members,
    interests stay); the target it was, or "" when nothing is replaced. ``_apply`` rolls it back if
    mapping the new target is refused."""
    if not current or current == target:
        return ""
    mappings.unmap_group(session, integration, group_id, _target(current, list(SourceTarget)))
    return current


def _stop(session: Session, integration: MailchimpIntegration, group_id: int, current: str, how: str) -> str:
    label = get_group(session, group_id).name
    if not current:
        return f"{label} is not synced; nothing changed."
    chosen = _target(current, list(SourceTarget))
    mappings.unmap_group(session, integration, group_id, chosen, leave_on_members=_OFF[how])
    return _unmapped(label, chosen, leave=_OFF[how])


def _unmapped(label: str, chosen: SourceTarget, *, leave: bool) -> str:
    if chosen == SourceTarget.tag:
        return f"{label} is no longer synced as a tag; members {_tag_fate(leave)}."
    return f"{label} is no longer synced as {chosen.value}; Mailchimp keeps what members carry."


@router.post(MAPPINGS_PATH + "/groups/{group_id:int}/unmap")
def unmap_group(
    integration_id: DbInt,
    group_id: DbInt,
    request: Request,
    _user: AdminDep,
    session: SessionDep,
    target: Annotated[str, Form(max_length=20)] = "",
    leave: Annotated[str, Form(max_length=10)] = "",
) -> RedirectResponse:
    integration = service.get_integration(session, integration_id)

    def change() -> str:
        # Every target, so a membership mapping made in groups mode can always be undone.
        chosen = _target(target, list(SourceTarget))
        mappings.unmap_group(session, integration, group_id, chosen, leave_on_members=leave == "on")
        return _unmapped(get_group(session, group_id).name, chosen, leave=leave == "on")

    return _apply(request, session, integration_id, change)


@router.post(MAPPINGS_PATH + "/searches/{search_id:int}/as")
def map_search_as(
    integration_id: DbInt,
    search_id: DbInt,
    request: Request,
    _user: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    target: Annotated[str, Form(max_length=20)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
) -> RedirectResponse:
    """A saved search as an interest (created in Mailchimp) or, in groups mode, a membership source."""
    integration = service.get_integration(session, integration_id)

    def change() -> str:
        def mapped(box: SecretBox, chosen: SourceTarget, remote: str | None) -> Coroutine[Any, Any, object]:
            return mappings.map_search(session, box, integration, search_id, chosen, remote)

        allowed = [t for t in _targets(integration) if t != SourceTarget.tag]
        chosen = _map(settings, target, allowed, name, mapped)
        label = get_search(session, search_id).name
        return f"{label} is synced as {_in_words(chosen)} from the next sync on."

    return _apply(request, session, integration_id, change)


@router.post(MAPPINGS_PATH + "/searches/{search_id:int}/unmap")
def unmap_search(
    integration_id: DbInt,
    search_id: DbInt,
    request: Request,
    _user: AdminDep,
    session: SessionDep,
    target: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    integration = service.get_integration(session, integration_id)

    def change() -> str:
        chosen = _target(target, [SourceTarget.interest, SourceTarget.membership])
        mappings.unmap_search(session, integration, search_id, chosen)
        label = get_search(session, search_id).name
        return f"{label} is no longer synced as {_in_words(chosen)}; Mailchimp keeps what members carry."

    return _apply(request, session, integration_id, change)


def _in_words(target: SourceTarget) -> str:
    return "an interest" if target == SourceTarget.interest else "who is in the audience"
