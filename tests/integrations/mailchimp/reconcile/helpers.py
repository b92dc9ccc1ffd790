"""Changes made in Mailchimp whose webhook never reaches us (the product fixture registers none)."""

from __future__ import annotations

from tests.integrations.mailchimp.sync.sync_helpers import Audience


def sign_up(audience: Audience, email: str, **merge_fields: str) -> None:
    """Someone signs up through Mailchimp's hosted form."""
    body: dict[str, object] = {"email_address": email}
    if merge_fields:
        body["merge_fields"] = merge_fields
    audience.product.emulator.control("POST", f"lists/{audience.audience_id}/signup", body)
