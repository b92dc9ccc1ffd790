"""/3.0/lists/{list_id}/interest-categories and their interests ("groups" in Mailchimp's UI)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.auth import current_account
from mailchimp_emulator.errors import InvalidResource, ResourceNotFound, invalid_field
from mailchimp_emulator.fields import project
from mailchimp_emulator.hashing import new_hex_id
from mailchimp_emulator.render import link
from mailchimp_emulator.routes.common import (
    collection_response,
    json_response,
    no_content,
    owned_list,
    read_object,
    store_of,
)
from mailchimp_emulator.state import Account, AudienceList, Interest, InterestCategory

router = APIRouter()
CATEGORY_TYPES = ("checkboxes", "dropdown", "radio", "hidden")
CATEGORIES = "/lists/{list_id}/interest-categories"
CATEGORY = CATEGORIES + "/{category_id}"
INTERESTS = CATEGORY + "/interests"
INTEREST = INTERESTS + "/{interest_id}"


@router.post(CATEGORIES)
async def post_category(
    list_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    body = await read_object(request)
    _require_text(body, "title")
    if body.get("type") not in CATEGORY_TYPES:
        message = f"Value must be one of: {', '.join(CATEGORY_TYPES)}"
        raise invalid_field("type", message)
    category = InterestCategory(new_hex_id(store_of(request).rng), body["title"], body["type"])
    category.display_order = _order(body, len(audience.interest_categories))
    audience.interest_categories[category.id] = category
    return json_response(render_category(audience, category))


@router.get(CATEGORIES)
async def get_categories(
    list_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    chosen = list(audience.interest_categories.values())
    links = [link("self", f"/3.0/lists/{audience.id}/interest-categories")]
    return collection_response(
        request, "categories", chosen, lambda c: render_category(audience, c), links, list_id=audience.id
    )


@router.get(CATEGORY)
async def get_category(
    list_id: str, category_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    return json_response(project(request, render_category(audience, _category(audience, category_id))))


@router.patch(CATEGORY)
async def patch_category(
    list_id: str, category_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    category = _category(audience, category_id)
    body = await read_object(request)
    if "title" in body:
        category.title = _require_text(body, "title")
    if body.get("type") in CATEGORY_TYPES:
        category.type = body["type"]
    category.display_order = _order(body, category.display_order)
    return json_response(render_category(audience, category))


@router.delete(CATEGORY)
async def delete_category(
    list_id: str, category_id: str, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    category = _category(audience, category_id)
    del audience.interest_categories[category.id]
    _forget_interests(audience, set(category.interests))
    return no_content()


@router.post(INTERESTS)
async def post_interest(
    list_id: str, category_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    category = _category(audience, category_id)
    body = await read_object(request)
    name = _require_text(body, "name")
    if any(i.name == name for i in category.interests.values()):
        raise InvalidResource(f'Cannot add "{name}" because it already exists on the list.')
    interest = Interest(new_hex_id(store_of(request).rng), category.id, name)
    interest.display_order = _order(body, len(category.interests))
    category.interests[interest.id] = interest
    return json_response(render_interest(audience, interest))


@router.get(INTERESTS)
async def get_interests(
    list_id: str, category_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    category = _category(audience, category_id)
    chosen = list(category.interests.values())
    links = [link("self", f"/3.0/lists/{audience.id}/interest-categories/{category.id}/interests")]
    render = partial(render_interest, audience)
    return collection_response(
        request, "interests", chosen, render, links, list_id=audience.id, category_id=category.id
    )


@router.get(INTEREST)
async def get_interest(
    list_id: str,
    category_id: str,
    interest_id: str,
    request: Request,
    account: Account = Depends(current_account),
) -> Response:
    audience = owned_list(account, list_id)
    interest = _interest(_category(audience, category_id), interest_id)
    return json_response(project(request, render_interest(audience, interest)))


@router.patch(INTEREST)
async def patch_interest(
    list_id: str,
    category_id: str,
    interest_id: str,
    request: Request,
    account: Account = Depends(current_account),
) -> Response:
    audience = owned_list(account, list_id)
    interest = _interest(_category(audience, category_id), interest_id)
    body = await read_object(request)
    if "name" in body:
        interest.name = _require_text(body, "name")
    interest.display_order = _order(body, interest.display_order)
    return json_response(render_interest(audience, interest))


@router.delete(INTEREST)
async def delete_interest(
    list_id: str, category_id: str, interest_id: str, account: Account = Depends(current_account)
) -> Response:
    audience = owned_list(account, list_id)
    category = _category(audience, category_id)
    interest = _interest(category, interest_id)
    del category.interests[interest.id]
    _forget_interests(audience, {interest.id})
    return no_content()


def render_category(audience: AudienceList, category: InterestCategory) -> dict[str, Any]:
    return {
        "list_id": audience.id,
        "id": category.id,
        "title": category.title,
        "display_order": category.display_order,
        "type": category.type,
        "_links": [link("self", f"/3.0/lists/{audience.id}/interest-categories/{category.id}")],
    }


def render_interest(audience: AudienceList, interest: Interest) -> dict[str, Any]:
    members = audience.member_index().interest_counts[interest.id]
    href = f"/3.0/lists/{audience.id}/interest-categories/{interest.category_id}/interests/{interest.id}"
    return {
        "category_id": interest.category_id,
        "list_id": audience.id,
        "id": interest.id,
        "name": interest.name,
        "subscriber_count": str(members),  # a string in the real API
        "display_order": interest.display_order,
        "_links": [link("self", href)],
    }


def _forget_interests(audience: AudienceList, interest_ids: set[str]) -> None:
    audience.members_changed()
    for member in audience.members.values():
        if member.interests and interest_ids & member.interests.keys():
            member.interests = {k: v for k, v in member.interests.items() if k not in interest_ids} or None


def _category(audience: AudienceList, category_id: str) -> InterestCategory:
    category = audience.interest_categories.get(category_id)
    if category is None:
        raise ResourceNotFound()
    return category


def _interest(category: InterestCategory, interest_id: str) -> Interest:
    interest = category.interests.get(interest_id)
    if interest is None:
        raise ResourceNotFound()
    return interest


def _require_text(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise invalid_field(field, "This value should not be blank.")
    return value.strip()


def _order(body: dict[str, Any], default: int) -> int:
    value = body.get("display_order")
    return value if isinstance(value, int) and not isinstance(value, bool) else default
