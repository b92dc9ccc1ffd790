"""What a real person does outside the API (unsubscribe link, bounce, confirmation link, signup form), as the
control API triggers it. These fire webhooks with source "user" and set the hidden compliance flag where
Mailchimp would stop the API from subscribing the person again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mailchimp_emulator.member_input import parse_member, valid_email
from mailchimp_emulator.members import change_email, create_member, set_status, update_member
from mailchimp_emulator.state import AudienceList, Member, Store

USER = "user"


def unsubscribe(
    store: Store, audience: AudienceList, member: Member, reason: str, campaign_id: str, at: datetime
) -> None:
    member.compliance = True
    set_status(store, audience, member, "unsubscribed", at, USER, reason=reason, campaign_id=campaign_id)
    member.unsubscribe_reason = "Unsubscribed via link" if reason == "manual" else "Marked as spam"


def bounce(store: Store, audience: AudienceList, member: Member, at: datetime) -> None:
    set_status(store, audience, member, "cleaned", at, USER)


def confirm(store: Store, audience: AudienceList, member: Member, at: datetime) -> None:
    """The person clicked the opt-in link: consent given again, so the compliance hold ends."""
    member.compliance = False
    set_status(store, audience, member, "subscribed", at, USER)


def change_address(
    store: Store, audience: AudienceList, member: Member, new_email: Any, at: datetime
) -> None:
    change_email(store, audience, member, valid_email(new_email), at, USER)


def update_profile(
    store: Store, audience: AudienceList, member: Member, body: dict[str, Any], at: datetime
) -> None:
    """The person's own preference page: her merge fields and the interests she ticks or unticks."""
    chosen = {k: v for k, v in body.items() if k in ("merge_fields", "interests")}
    changes = parse_member(audience, {"merge_fields": {}, **chosen})
    update_member(store, audience, member, changes, at, USER)


def sign_up(store: Store, audience: AudienceList, body: dict[str, Any], at: datetime) -> Member:
    """The signup form: a new or returning person subscribes themselves, which the API never may for them."""
    changes = parse_member(
        audience, {k: v for k, v in body.items() if k in ("email_address", "merge_fields")}
    )
    email = valid_email(body.get("email_address"))
    member = audience.find_member(email)
    if member is None:
        return create_member(store, audience, email, "subscribed", changes, at, source=USER)
    member.compliance = False
    changes.email_address = None
    changes.status = "subscribed"
    return update_member(store, audience, member, changes, at, USER)
