"""/3.0/reports: what a sent campaign did: who it went to (sent-to), their opens and clicks (email-activity).

Recipients are shown as they are now on the list; someone permanently deleted since has no data left to show,
so they drop out of the report, as their personal data does in Mailchimp.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.auth import current_account
from mailchimp_emulator.errors import ResourceNotFound
from mailchimp_emulator.fields import project
from mailchimp_emulator.render import iso, link, merge_values
from mailchimp_emulator.routes.campaigns import owned_campaign, query_time, report_summary
from mailchimp_emulator.routes.common import collection_response, json_response
from mailchimp_emulator.state import Account, AudienceList, Campaign, EmailActivity, Member

router = APIRouter()


@router.get("/reports/{campaign_id}")
async def campaign_report(
    campaign_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    campaign, audience = _sent_campaign(account, campaign_id)
    summary = report_summary(campaign)
    opens = [a.timestamp for a in campaign.activity if a.action == "open"]
    clicks = [a.timestamp for a in campaign.activity if a.action == "click"]
    body = {
        "id": campaign.id,
        "campaign_title": str(campaign.settings.get("title", "")),
        "type": campaign.type,
        "list_id": campaign.list_id,
        "list_is_active": audience is not None,
        "list_name": audience.name if audience else "",
        "subject_line": str(campaign.settings.get("subject_line", "")),
        "preview_text": str(campaign.settings.get("preview_text", "")),
        "emails_sent": campaign.emails_sent,
        "abuse_reports": 0,
        "unsubscribed": 0,
        "send_time": iso(campaign.send_time),
        "bounces": {"hard_bounces": 0, "soft_bounces": 0, "syntax_errors": 0},
        "opens": {
            "opens_total": summary["opens"],
            "unique_opens": summary["unique_opens"],
            "open_rate": summary["open_rate"],
            "last_open": iso(max(opens, default=None)),
        },
        "clicks": {
            "clicks_total": summary["clicks"],
            "unique_clicks": len({a.url for a in campaign.activity if a.action == "click"}),
            "unique_subscriber_clicks": summary["subscriber_clicks"],
            "click_rate": summary["click_rate"],
            "last_click": iso(max(clicks, default=None)),
        },
        "_links": [link("self", f"/3.0/reports/{campaign.id}")],
    }
    return json_response(project(request, body))


@router.get("/reports/{campaign_id}/sent-to")
async def sent_to(
    campaign_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    campaign, audience = _sent_campaign(account, campaign_id)
    return _per_recipient(
        request, campaign, audience, "sent-to", lambda m: _render_recipient(campaign, audience, m)
    )


@router.get("/reports/{campaign_id}/sent-to/{subscriber_hash}")
async def sent_to_one(
    campaign_id: str, subscriber_hash: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    campaign, audience = _sent_campaign(account, campaign_id)
    member = _recipient(campaign, audience, subscriber_hash)
    return json_response(project(request, _render_recipient(campaign, audience, member)))


@router.get("/reports/{campaign_id}/email-activity")
async def email_activity(
    campaign_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    campaign, audience = _sent_campaign(account, campaign_id)
    since = _since(request)
    return _per_recipient(
        request,
        campaign,
        audience,
        "email-activity",
        lambda m: _render_activity(campaign, audience, m, since),
    )


@router.get("/reports/{campaign_id}/email-activity/{subscriber_hash}")
async def email_activity_one(
    campaign_id: str, subscriber_hash: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    campaign, audience = _sent_campaign(account, campaign_id)
    member = _recipient(campaign, audience, subscriber_hash)
    return json_response(project(request, _render_activity(campaign, audience, member, _since(request))))


def _per_recipient(
    request: Request,
    campaign: Campaign,
    audience: AudienceList | None,
    report: str,
    render: Callable[[Member], dict[str, Any]],
) -> Response:
    """A page of a report with a row per recipient: sent-to (rows "sent_to") or email-activity ("emails")."""
    key = "sent_to" if report == "sent-to" else "emails"
    links = [link("self", f"/3.0/reports/{campaign.id}/{report}")]
    return collection_response(
        request, key, _recipients(campaign, audience), render, links, campaign_id=campaign.id
    )


def _sent_campaign(account: Account, campaign_id: str) -> tuple[Campaign, AudienceList | None]:
    campaign = owned_campaign(account, campaign_id)
    if campaign.status != "sent":
        raise ResourceNotFound()
    return campaign, account.lists.get(campaign.list_id)


def _recipients(campaign: Campaign, audience: AudienceList | None) -> list[Member]:
    if audience is None:
        return []
    members = audience.members
    return [members[h] for h in campaign.sent_to if h in members]


def _recipient(campaign: Campaign, audience: AudienceList | None, hash_or_email: str) -> Member:
    member = audience.find_member(hash_or_email) if audience else None
    if member is None or member.id not in campaign.sent_to:
        raise ResourceNotFound()
    return member


def _render_recipient(campaign: Campaign, audience: AudienceList | None, member: Member) -> dict[str, Any]:
    opens = [a.timestamp for a in campaign.activity if a.action == "open" and a.subscriber_hash == member.id]
    # absplit_group is left out: this is no A/B campaign and the field's enum has no empty value.
    return {
        "email_id": member.id,
        "email_address": member.email_address,
        "merge_fields": merge_values(audience, member) if audience else {},
        "vip": member.vip,
        "status": "sent",
        "open_count": len(opens),
        "last_open": iso(max(opens, default=None)),
        "gmt_offset": 0,
        "campaign_id": campaign.id,
        "list_id": campaign.list_id,
        "list_is_active": audience is not None,
        "_links": [link("self", f"/3.0/reports/{campaign.id}/sent-to/{member.id}")],
    }


def _render_activity(
    campaign: Campaign, audience: AudienceList | None, member: Member, since: datetime | None
) -> dict[str, Any]:
    activity = [
        _render_action(a)
        for a in campaign.activity
        if a.subscriber_hash == member.id and (since is None or a.timestamp >= since)
    ]
    return {
        "campaign_id": campaign.id,
        "list_id": campaign.list_id,
        "list_is_active": audience is not None,
        "email_id": member.id,
        "email_address": member.email_address,
        "activity": activity,
        "_links": [link("self", f"/3.0/reports/{campaign.id}/email-activity/{member.id}")],
    }


def _render_action(activity: EmailActivity) -> dict[str, Any]:
    rendered = {"action": activity.action, "timestamp": iso(activity.timestamp), "ip": activity.ip}
    if activity.action == "click":
        rendered["url"] = activity.url
    return rendered


def _since(request: Request) -> datetime | None:
    return query_time(request, "since")
