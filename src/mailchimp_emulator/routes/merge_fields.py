"""/3.0/lists/{list_id}/merge-fields: the profile fields (FNAME, LNAME, ADDRESS, PHONE at first)."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.audiences import add_merge_field
from mailchimp_emulator.auth import current_account
from mailchimp_emulator.errors import VALIDATION_DETAIL, InvalidResource, ResourceNotFound, invalid_field
from mailchimp_emulator.fields import project
from mailchimp_emulator.render import link
from mailchimp_emulator.routes.common import (
    collection_response,
    json_response,
    no_content,
    owned_list,
    read_object,
)
from mailchimp_emulator.state import Account, AudienceList, MergeField

router = APIRouter()
TYPES = (
    "text",
    "number",
    "address",
    "phone",
    "date",
    "url",
    "imageurl",
    "radio",
    "dropdown",
    "birthday",
    "zip",
)
TAG_PATTERN = re.compile(r"^[A-Z0-9_]{1,10}$")
PATH = "/lists/{list_id}/merge-fields"


@router.post(PATH)
async def post_merge_field(
    list_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    body = await read_object(request)
    errors = [
        {"field": f, "message": "This value should not be blank."}
        for f in ("name", "type")
        if not body.get(f)
    ]
    if body.get("type") and body["type"] not in TYPES:
        errors.append({"field": "type", "message": f"Value must be one of: {', '.join(TYPES)}"})
    if errors:
        raise InvalidResource(VALIDATION_DETAIL, errors)
    tag = str(body.get("tag") or _tag_from_name(audience, str(body["name"]))).upper()
    if not TAG_PATTERN.match(tag):
        raise invalid_field("tag", "Use up to 10 letters, digits, _")
    if tag in audience.merge_fields:
        raise InvalidResource(f'A Merge Field with the tag "{tag}" already exists for this list.')
    merge_field = MergeField(0, tag, str(body["name"]), str(body["type"]), len(audience.merge_fields))
    _apply(merge_field, body)
    add_merge_field(audience, merge_field)
    return json_response(render_merge_field(audience, merge_field))


@router.get(PATH)
async def get_merge_fields(
    list_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    chosen = list(audience.merge_fields.values())
    links = [link("self", f"/3.0/lists/{audience.id}/merge-fields")]
    render = partial(render_merge_field, audience)
    return collection_response(request, "merge_fields", chosen, render, links, list_id=audience.id)


@router.get(PATH + "/{merge_id}")
async def get_merge_field(
    list_id: str, merge_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    return json_response(project(request, render_merge_field(audience, _find(audience, merge_id))))


@router.patch(PATH + "/{merge_id}")
async def patch_merge_field(
    list_id: str, merge_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    merge_field = _find(audience, merge_id)
    body = await read_object(request)
    if "name" in body:
        merge_field.name = str(body["name"])
    _apply(merge_field, body)
    return json_response(render_merge_field(audience, merge_field))


@router.delete(PATH + "/{merge_id}")
async def delete_merge_field(
    list_id: str, merge_id: str, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    merge_field = _find(audience, merge_id)
    del audience.merge_fields[merge_field.tag]
    # Values of a deleted field disappear from every member, as they do in Mailchimp.
    for member in audience.members.values():
        member.merge_fields.pop(merge_field.tag, None)
    return no_content()


def render_merge_field(audience: AudienceList, merge_field: MergeField) -> dict[str, Any]:
    return {
        "merge_id": merge_field.merge_id,
        "tag": merge_field.tag,
        "name": merge_field.name,
        "type": merge_field.type,
        "required": merge_field.required,
        "default_value": merge_field.default_value,
        "public": merge_field.public,
        "display_order": merge_field.display_order,
        "options": merge_field.options,
        "help_text": merge_field.help_text,
        "list_id": audience.id,
        "_links": [link("self", f"/3.0/lists/{audience.id}/merge-fields/{merge_field.merge_id}")],
    }


def _apply(merge_field: MergeField, body: dict[str, Any]) -> None:
    for name in ("required", "public"):
        if isinstance(body.get(name), bool):
            setattr(merge_field, name, body[name])
    for name in ("default_value", "help_text"):
        if name in body:
            setattr(merge_field, name, str(body[name]))
    if isinstance(body.get("display_order"), int):
        merge_field.display_order = body["display_order"]
    if isinstance(body.get("options"), dict):
        merge_field.options = {**merge_field.options, **body["options"]}


def _tag_from_name(audience: AudienceList, name: str) -> str:
    base = re.sub(r"[^A-Z0-9]", "", name.upper())[:10] or "MERGE"
    return base if base not in audience.merge_fields else f"MERGE{audience.next_merge_id}"


def _find(audience: AudienceList, merge_id: str) -> MergeField:
    for merge_field in audience.merge_fields.values():
        if str(merge_field.merge_id) == merge_id:
            return merge_field
    raise ResourceNotFound()
