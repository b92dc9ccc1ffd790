"""/3.0/campaigns: regular campaigns for a list (optionally one tag), and sending them.

Nothing is emailed: sending records who it went to (subscribed members only, of the tag if one is set),
which is what reports, the ``member_id`` filter and the ``campaign`` webhook need.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.auth import current_account
from mailchimp_emulator.clock import now
from mailchimp_emulator.errors import InvalidResource, MailchimpError, ResourceNotFound
from mailchimp_emulator.fields import project
from mailchimp_emulator.hashing import new_hex_id
from mailchimp_emulator.render import iso, link
from mailchimp_emulator.routes.common import (
    collection_response,
    json_response,
    no_content,
    read_object,
    store_of,
)
from mailchimp_emulator.state import Account, AudienceList, Campaign, Member, Store, WebhookEvent

router = APIRouter()

CAMPAIGN_TYPES = ("regular", "plaintext")
STATUSES = ("save", "paused", "schedule", "sending", "sent", "canceled", "canceling", "archived")
SETTINGS = ("subject_line", "preview_text", "title", "from_name", "reply_to", "to_name")
NEEDED_TO_SEND = ("subject_line", "from_name", "reply_to")
INVALID_DETAIL = "The resource submitted could not be validated."


@router.post("/campaigns")
async def create_campaign(request: Request, account: Account = Depends(current_account)) -> Response:
    body = await read_object(request)
    kind = body.get("type")
    if kind not in CAMPAIGN_TYPES:
        message = f"type must be one of {', '.join(CAMPAIGN_TYPES)} (the emulator sends no other kind)"
        raise InvalidResource(INVALID_DETAIL, [{"field": "type", "message": message}])
    list_id, segment_id = _recipients(account, body.get("recipients"))
    store = store_of(request)
    campaign = Campaign(
        id=new_hex_id(store.rng),
        web_id=store.take_web_id(),
        account_id=account.id,
        type=kind,
        status="save",
        create_time=now(),
        list_id=list_id,
        segment_id=segment_id,
        settings=_settings(body.get("settings"), {}),
    )
    account.campaigns[campaign.id] = campaign
    return json_response(render_campaign(account, campaign))


@router.get("/campaigns")
async def list_campaigns(request: Request, account: Account = Depends(current_account)) -> Response:
    chosen = [c for c in account.campaigns.values() if _matches(request, c)]
    chosen.sort(key=_sort_key(request), reverse=request.query_params.get("sort_dir", "").upper() == "DESC")
    links = [link("self", "/3.0/campaigns"), link("create", "/3.0/campaigns", "POST")]
    return collection_response(request, "campaigns", chosen, partial(render_campaign, account), links)


@router.get("/campaigns/{campaign_id}")
async def get_campaign(
    campaign_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    return json_response(project(request, render_campaign(account, owned_campaign(account, campaign_id))))


@router.patch("/campaigns/{campaign_id}")
async def update_campaign(
    campaign_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    campaign = owned_campaign(account, campaign_id)
    body = await read_object(request)
    if campaign.status == "sent":
        raise MailchimpError(400, "Bad Request", "This campaign has already been sent and cannot be changed.")
    settings = _settings(body.get("settings"), campaign.settings)
    if "recipients" in body:
        campaign.list_id, campaign.segment_id = _recipients(account, body["recipients"])
    campaign.settings = settings
    return json_response(render_campaign(account, campaign))


@router.delete("/campaigns/{campaign_id}")
async def delete_campaign(campaign_id: str, account: Account = Depends(current_account)) -> Response:
    owned_campaign(account, campaign_id)
    del account.campaigns[campaign_id]
    return no_content()


@router.post("/campaigns/{campaign_id}/actions/send")
async def send_campaign(
    campaign_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    send(store_of(request), account, owned_campaign(account, campaign_id), source="api")
    return no_content()


def send(store: Store, account: Account, campaign: Campaign, source: str) -> None:
    """Record the recipients, mark the campaign sent and fire the list's ``campaign`` webhook."""
    _check_ready(campaign)
    audience = account.lists.get(campaign.list_id)
    if audience is None:
        raise MailchimpError(400, "Bad Request", "Your Campaign is not ready to send: its audience is gone.")
    campaign.sent_to = [member.id for member in recipients(audience, campaign.segment_id)]
    campaign.emails_sent = len(campaign.sent_to)
    campaign.send_time = now()
    campaign.status = "sent"
    data = {
        "data[id]": campaign.id,
        "data[subject]": str(campaign.settings.get("subject_line", "")),
        "data[status]": "sent",
        "data[reason]": "",
        "data[list_id]": audience.id,
    }
    store.emit(WebhookEvent(audience.id, "campaign", source, campaign.send_time, data))


def recipients(audience: AudienceList, segment_id: int | None) -> list[Member]:
    return [
        member
        for member in audience.members.values()
        if member.status == "subscribed" and (segment_id is None or segment_id in (member.tags or {}))
    ]


def owned_campaign(account: Account, campaign_id: str) -> Campaign:
    campaign = account.campaigns.get(campaign_id)
    if campaign is None:
        raise ResourceNotFound()
    return campaign


def render_campaign(account: Account, campaign: Campaign) -> dict[str, Any]:
    href = f"/3.0/campaigns/{campaign.id}"
    body: dict[str, Any] = {
        "id": campaign.id,
        "web_id": campaign.web_id,
        "parent_campaign_id": "",
        "type": campaign.type,
        "create_time": iso(campaign.create_time),
        "archive_url": f"http://eepurl.com/{campaign.id}",
        "long_archive_url": f"https://us1.campaign-archive.com/?u={account.id}&id={campaign.id}",
        "status": campaign.status,
        "emails_sent": campaign.emails_sent,
        "send_time": iso(campaign.send_time),
        "content_type": "template",
        "needs_block_refresh": False,
        "resendable": False,
        "recipients": _render_recipients(account, campaign),
        "settings": _render_settings(campaign),
        "tracking": {"opens": True, "html_clicks": True, "text_clicks": False, "goal_tracking": False},
        "delivery_status": {"enabled": False},
        "_links": [link("self", href), link("send", f"{href}/actions/send", "POST")],
    }
    if campaign.status == "sent":
        body["report_summary"] = report_summary(campaign)
    return body


def report_summary(campaign: Campaign) -> dict[str, Any]:
    opens = [a for a in campaign.activity if a.action == "open"]
    clicks = [a for a in campaign.activity if a.action == "click"]
    unique_opens = len({a.subscriber_hash for a in opens})
    clickers = len({a.subscriber_hash for a in clicks})
    sent = campaign.emails_sent or 1
    return {
        "opens": len(opens),
        "unique_opens": unique_opens,
        "open_rate": unique_opens / sent,
        "clicks": len(clicks),
        "subscriber_clicks": clickers,
        "click_rate": clickers / sent,
    }


def _render_recipients(account: Account, campaign: Campaign) -> dict[str, Any]:
    audience = account.lists.get(campaign.list_id)
    segment = audience.segments.get(campaign.segment_id) if audience and campaign.segment_id else None
    if campaign.status == "sent":
        count = campaign.emails_sent
    else:
        count = len(recipients(audience, campaign.segment_id)) if audience else 0
    rendered: dict[str, Any] = {
        "list_id": campaign.list_id,
        "list_is_active": audience is not None,
        "list_name": audience.name if audience else "",
        "segment_text": f"Tagged {segment.name}" if segment else "",
        "recipient_count": count,
    }
    if campaign.segment_id is not None:
        rendered["segment_opts"] = {"saved_segment_id": campaign.segment_id, "match": "all"}
    return rendered


def _render_settings(campaign: Campaign) -> dict[str, Any]:
    settings: dict[str, Any] = {name: str(campaign.settings.get(name, "")) for name in SETTINGS}
    settings.update(
        {"use_conversation": False, "authenticate": True, "auto_footer": False, "inline_css": False},
    )
    settings.update({"auto_tweet": False, "fb_comments": True, "timewarp": False, "template_id": 0})
    settings["drag_and_drop"] = False
    return settings


def _recipients(account: Account, given: Any) -> tuple[str, int | None]:
    """(list id, tag id or None) from a ``recipients`` object; each must exist in this account."""
    if not isinstance(given, dict) or not isinstance(given.get("list_id"), str):
        raise InvalidResource(INVALID_DETAIL, [{"field": "recipients.list_id", "message": "Required"}])
    audience = account.lists.get(given["list_id"])
    if audience is None:
        message = f"The list {given['list_id']} does not exist in this account."
        raise InvalidResource(INVALID_DETAIL, [{"field": "recipients.list_id", "message": message}])
    options = given.get("segment_opts") or {}
    segment_id = options.get("saved_segment_id") if isinstance(options, dict) else None
    if segment_id is None:
        return audience.id, None
    segment = audience.segments.get(segment_id) if isinstance(segment_id, int) else None
    if segment is None or segment.type != "static":
        message = f"{segment_id} is not a tag (static segment) of list {audience.id}."
        raise InvalidResource(
            INVALID_DETAIL, [{"field": "recipients.segment_opts.saved_segment_id", "message": message}]
        )
    return audience.id, segment.id


def _settings(given: Any, current: dict[str, Any]) -> dict[str, Any]:
    if given is None:
        return dict(current)
    if not isinstance(given, dict):
        raise InvalidResource(INVALID_DETAIL, [{"field": "settings", "message": "Schema describes object"}])
    for name in SETTINGS:
        if name in given and not isinstance(given[name], str):
            raise InvalidResource(
                INVALID_DETAIL, [{"field": f"settings.{name}", "message": "must be a string"}]
            )
    return {**current, **{name: given[name] for name in SETTINGS if name in given}}


def _check_ready(campaign: Campaign) -> None:
    if campaign.status != "save":
        raise MailchimpError(400, "Bad Request", "Your Campaign is not ready to send: it was already sent.")
    missing = [name for name in NEEDED_TO_SEND if not campaign.settings.get(name)]
    if missing:
        errors = [{"field": f"settings.{name}", "message": "Required to send"} for name in missing]
        raise MailchimpError(400, "Bad Request", "Your Campaign is not ready to send.", errors)


def _matches(request: Request, campaign: Campaign) -> bool:
    query = request.query_params
    if query.get("status") and campaign.status != query["status"]:
        return False
    if query.get("type") and campaign.type != query["type"]:
        return False
    if query.get("list_id") and campaign.list_id != query["list_id"]:
        return False
    if query.get("member_id") and query["member_id"].lower() not in campaign.sent_to:
        return False
    return _within(request, "send_time", campaign.send_time) and _within(
        request, "create_time", campaign.create_time
    )


def _within(request: Request, name: str, moment: datetime | None) -> bool:
    since = query_time(request, f"since_{name}")
    before = query_time(request, f"before_{name}")
    if since is None and before is None:
        return True
    if moment is None:
        return False
    return (since is None or moment >= since) and (before is None or moment < before)


def query_time(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        # A "+00:00" offset arrives as " 00:00" when the client did not percent-encode the plus sign.
        moment = datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError as exc:
        raise InvalidResource(f"{name} must be an ISO 8601 date-time, not {raw!r}.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _sort_key(request: Request) -> Any:
    if request.query_params.get("sort_field") == "send_time":
        return lambda c: c.send_time or datetime.min.replace(tzinfo=UTC)
    return lambda c: c.create_time
