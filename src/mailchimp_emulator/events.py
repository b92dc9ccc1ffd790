"""The webhook events a member change fires, with Mailchimp's flat form field names (``data[merges][FNAME]``).

Field names and formats follow the recorded payloads: ``fired_at`` is "YYYY-MM-DD HH:MM:SS", ``data[id]`` is
the member's 10-hex unique_email_id (not the md5 hash), addresses and interest groups are nested form keys.
"""

from __future__ import annotations

from datetime import datetime

from mailchimp_emulator.render import merge_values
from mailchimp_emulator.state import AudienceList, Member, WebhookEvent


def fired_at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def subscribe(audience: AudienceList, member: Member, source: str, at: datetime) -> WebhookEvent:
    return WebhookEvent(audience.id, "subscribe", source, at, _member_data(audience, member))


def profile(audience: AudienceList, member: Member, source: str, at: datetime) -> WebhookEvent:
    return WebhookEvent(audience.id, "profile", source, at, _member_data(audience, member))


def unsubscribe(
    audience: AudienceList,
    member: Member,
    source: str,
    at: datetime,
    action: str = "unsub",
    reason: str = "manual",
    campaign_id: str = "",
) -> WebhookEvent:
    data = _member_data(audience, member)
    data.update({"data[action]": action, "data[reason]": reason, "data[campaign_id]": campaign_id})
    return WebhookEvent(audience.id, "unsubscribe", source, at, data)


def cleaned(
    audience: AudienceList,
    member: Member,
    source: str,
    at: datetime,
    reason: str = "hard",
    campaign_id: str = "",
) -> WebhookEvent:
    data = {
        "data[list_id]": audience.id,
        "data[campaign_id]": campaign_id,
        "data[reason]": reason,
        "data[email]": member.email_address,
    }
    return WebhookEvent(audience.id, "cleaned", source, at, data)


def upemail(
    audience: AudienceList, member: Member, old_email: str, source: str, at: datetime
) -> WebhookEvent:
    data = {
        "data[list_id]": audience.id,
        "data[new_id]": member.unique_email_id,
        "data[new_email]": member.email_address,
        "data[old_email]": old_email,
    }
    return WebhookEvent(audience.id, "upemail", source, at, data)


def _member_data(audience: AudienceList, member: Member) -> dict[str, str]:
    data = {
        "data[id]": member.unique_email_id,
        "data[list_id]": audience.id,
        "data[email]": member.email_address,
        "data[email_type]": member.email_type,
        "data[ip_opt]": member.ip_opt,
        "data[ip_signup]": member.ip_signup,
        "data[web_id]": str(member.web_id),
        "data[merges][EMAIL]": member.email_address,
    }
    for tag, value in merge_values(audience, member).items():
        if isinstance(value, dict):
            for part, text in value.items():
                data[f"data[merges][{tag}][{part}]"] = str(text)
        else:
            data[f"data[merges][{tag}]"] = str(value)
    data.update(_interest_groups(audience, member))
    return data


def _interest_groups(audience: AudienceList, member: Member) -> dict[str, str]:
    if not audience.interest_categories:
        return {}
    chosen = member.interests or {}
    data: dict[str, str] = {}
    all_names: list[str] = []
    for n, category in enumerate(audience.interest_categories.values()):
        names = [i.name for i in category.interests.values() if chosen.get(i.id)]
        all_names += names
        prefix = f"data[merges][GROUPINGS][{n}]"
        data.update(
            {
                f"{prefix}[id]": category.id,
                f"{prefix}[unique_id]": category.id,
                f"{prefix}[name]": category.title,
                f"{prefix}[groups]": ", ".join(names),
            }
        )
    data["data[merges][INTERESTS]"] = ", ".join(all_names)
    return data
