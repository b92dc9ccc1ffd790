"""/3.0/lists: create (capped by the plan), read with ``constraints``, update, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.audiences import create_list, update_list, validated_list_body
from mailchimp_emulator.auth import current_account
from mailchimp_emulator.clock import now
from mailchimp_emulator.fields import project
from mailchimp_emulator.render import iso, link
from mailchimp_emulator.routes.common import (
    collection_response,
    json_response,
    no_content,
    owned_list,
    read_object,
    store_of,
)
from mailchimp_emulator.state import Account, AudienceList

router = APIRouter()


@router.post("/lists")
async def post_list(request: Request, account: Account = Depends(current_account)) -> Response:
    fields = validated_list_body(await read_object(request))
    audience = create_list(store_of(request), account, fields, now())
    return json_response(render_list(audience))


@router.get("/lists")
async def get_lists(request: Request, account: Account = Depends(current_account)) -> Response:
    audiences = list(account.lists.values())
    cap = account.audience_cap
    constraints = {
        "may_create": account.may_create_audience,
        "max_instances": cap if cap is not None else -1,
        "current_total_instances": len(audiences),
    }
    links = [link("self", "/3.0/lists"), link("create", "/3.0/lists", "POST")]
    return collection_response(request, "lists", audiences, render_list, links, constraints=constraints)


@router.get("/lists/{list_id}")
async def get_list(list_id: str, request: Request, account: Account = Depends(current_account)) -> Response:
    return json_response(project(request, render_list(owned_list(account, list_id))))


@router.patch("/lists/{list_id}")
async def patch_list(list_id: str, request: Request, account: Account = Depends(current_account)) -> Response:
    audience = owned_list(account, list_id)
    update_list(audience, validated_list_body(await read_object(request), partial=True))
    return json_response(render_list(audience))


@router.delete("/lists/{list_id}")
async def delete_list(
    list_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    owned_list(account, list_id)
    store_of(request).remove_list(account, list_id)
    return no_content()


def render_list(audience: AudienceList) -> dict[str, Any]:
    href = f"/3.0/lists/{audience.id}"
    return {
        "id": audience.id,
        "web_id": audience.web_id,
        "name": audience.name,
        "contact": audience.contact,
        "permission_reminder": audience.permission_reminder,
        "use_archive_bar": audience.use_archive_bar,
        "campaign_defaults": audience.campaign_defaults,
        "notify_on_subscribe": audience.notify_on_subscribe,
        "notify_on_unsubscribe": audience.notify_on_unsubscribe,
        "date_created": iso(audience.date_created),
        "list_rating": 0,
        "email_type_option": audience.email_type_option,
        "subscribe_url_short": f"http://eepurl.com/{audience.id[:6]}",
        "subscribe_url_long": f"https://emulator.list-manage.com/subscribe?id={audience.id}",
        "beamer_address": f"{audience.id}@inbound.mailchimp.com",
        "visibility": audience.visibility,
        "double_optin": audience.double_optin,
        "has_welcome": False,
        "marketing_permissions": audience.marketing_permissions,
        "modules": [],
        "stats": _stats(audience),
        "_links": [link("self", href), link("update", href, "PATCH"), link("delete", href, "DELETE")],
    }


def _stats(audience: AudienceList) -> dict[str, Any]:
    index = audience.member_index()
    subscribed, unsubscribed, cleaned = (
        len(index.with_status(s)) for s in ("subscribed", "unsubscribed", "cleaned")
    )
    return {
        "member_count": subscribed,
        "unsubscribe_count": unsubscribed,
        "cleaned_count": cleaned,
        "member_count_since_send": subscribed,
        "unsubscribe_count_since_send": unsubscribed,
        "cleaned_count_since_send": cleaned,
        "campaign_count": 0,
        "campaign_last_sent": "",
        "merge_field_count": len(audience.merge_fields),
        "avg_sub_rate": 0,
        "avg_unsub_rate": 0,
        "target_sub_rate": 0,
        "open_rate": 0,
        "click_rate": 0,
        "last_sub_date": iso(audience.last_sub_date),
        "last_unsub_date": iso(audience.last_unsub_date),
    }
