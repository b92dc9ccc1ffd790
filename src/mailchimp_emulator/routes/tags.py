"""Member tags (GET/POST /members/{hash}/tags) and the list-wide prefix search (GET /tag-search)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.auth import current_account
from mailchimp_emulator.clock import now
from mailchimp_emulator.errors import invalid_field
from mailchimp_emulator.fields import project
from mailchimp_emulator.render import iso, link
from mailchimp_emulator.routes.common import (
    collection_response,
    json_response,
    member_or_404,
    no_content,
    owned_list,
    read_object,
    store_of,
)
from mailchimp_emulator.state import Account
from mailchimp_emulator.tagging import add_tags, remove_tags

router = APIRouter()
MEMBER_TAGS = "/lists/{list_id}/members/{subscriber_hash}/tags"


@router.get(MEMBER_TAGS)
async def get_member_tags(
    list_id: str, subscriber_hash: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    member = member_or_404(audience, subscriber_hash)
    tags = [
        {"id": tag_id, "name": audience.segments[tag_id].name, "date_added": iso(added)}
        for tag_id, added in (member.tags or {}).items()
        if tag_id in audience.segments
    ]
    links = [link("self", f"/3.0/lists/{audience.id}/members/{member.id}/tags")]
    return collection_response(request, "tags", tags, lambda tag: tag, links)


@router.post(MEMBER_TAGS)
async def post_member_tags(
    list_id: str, subscriber_hash: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    member = member_or_404(audience, subscriber_hash)
    active, inactive = _tag_changes(await read_object(request))
    at = now()
    changed = add_tags(store_of(request), audience, member, active, at)
    changed |= remove_tags(audience, member, inactive)
    if changed:
        member.last_changed = at
        audience.members_changed()
    return no_content()


@router.get("/lists/{list_id}/tag-search")
async def tag_search(list_id: str, request: Request, account: Account = Depends(current_account)) -> Response:
    audience = owned_list(account, list_id)
    prefix = request.query_params.get("name", "").lower()
    found = [
        {"id": s.id, "name": s.name}
        for s in audience.segments.values()
        if s.type == "static" and s.name.lower().startswith(prefix)
    ]
    return json_response(project(request, {"tags": found, "total_items": len(found)}))


def _tag_changes(body: dict[str, Any]) -> tuple[list[str], list[str]]:
    tags = body.get("tags")
    if not isinstance(tags, list):
        raise invalid_field("tags", "Required field not provided")
    active: list[str] = []
    inactive: list[str] = []
    for tag in tags:
        name = tag.get("name") if isinstance(tag, dict) else None
        status = tag.get("status") if isinstance(tag, dict) else None
        if not isinstance(name, str) or not name.strip() or status not in ("active", "inactive"):
            message = "Each tag needs a name and a status of active or inactive"
            raise invalid_field("tags", message)
        (active if status == "active" else inactive).append(name)
    return active, inactive
