"""Members as the Mailchimp API shows them (the ListMembers2 shape), and the date format every object uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mailchimp_emulator.hashing import contact_id_for
from mailchimp_emulator.state import AudienceList, Member

# A member GET shows at most this many tags; tags_count still counts them all.
TAGS_SHOWN = 50
EMPTY_LOCATION = {
    "latitude": 0,
    "longitude": 0,
    "gmtoff": 0,
    "dstoff": 0,
    "country_code": "",
    "timezone": "",
    "region": "",
}


def iso(moment: datetime | None) -> str:
    """Mailchimp's timestamps: "2021-11-23T22:51:56+00:00", or "" when unknown."""
    if moment is None:
        return ""
    # isoformat is several times faster than strftime; stored moments are UTC and whole seconds.
    return moment.isoformat()


def link(rel: str, href: str, method: str = "GET") -> dict[str, str]:
    return {"rel": rel, "href": href, "method": method}


def merge_values(audience: AudienceList, member: Member) -> dict[str, Any]:
    """Every list field is present; an empty one is ""."""
    stored = member.merge_fields
    return {tag: stored.get(tag, "") for tag in audience.merge_fields}


def member_tags(audience: AudienceList, member: Member) -> list[dict[str, Any]]:
    if not member.tags:
        return []
    segments = audience.segments
    return [{"id": tag_id, "name": segments[tag_id].name} for tag_id in member.tags if tag_id in segments]


def render_member(audience: AudienceList, member: Member) -> dict[str, Any]:
    merges = merge_values(audience, member)
    tags = member_tags(audience, member)
    href = f"/3.0/lists/{audience.id}/members/{member.id}"
    body: dict[str, Any] = {
        "id": member.id,
        "email_address": member.email_address,
        "unique_email_id": member.unique_email_id,
        "contact_id": contact_id_for(member.first_unique_email_id or member.unique_email_id),
        "full_name": f"{merges.get('FNAME', '')} {merges.get('LNAME', '')}".strip(),
        "web_id": member.web_id,
        "email_type": member.email_type,
        "status": member.status,
        "consents_to_one_to_one_messaging": True,
        "merge_fields": merges,
    }
    if audience.interest_categories:
        chosen = member.interests or {}
        body["interests"] = {i.id: chosen.get(i.id, False) for i in audience.all_interests()}
    body.update(
        {
            "stats": {"avg_open_rate": 0, "avg_click_rate": 0},
            "ip_signup": member.ip_signup,
            "timestamp_signup": iso(member.timestamp_signup),
            "ip_opt": member.ip_opt,
            "timestamp_opt": iso(member.timestamp_opt),
            "member_rating": member.member_rating,
            "last_changed": iso(member.last_changed),
            "language": member.language,
            "vip": member.vip,
            "email_client": "",
            "location": dict(EMPTY_LOCATION),
            "source": member.source,
            "tags_count": len(tags),
            "tags": tags[:TAGS_SHOWN],
            "list_id": audience.id,
            "_links": [link("self", href), link("upsert", href, "PUT"), link("delete", href, "DELETE")],
        }
    )
    if member.status == "unsubscribed" and member.unsubscribe_reason:
        body["unsubscribe_reason"] = member.unsubscribe_reason
    return body
