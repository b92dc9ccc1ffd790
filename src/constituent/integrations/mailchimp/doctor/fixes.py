"""The safe repairs: recreate our merge fields, interest category and interests, re-register the webhook,
and record an audience's new name. Each says what it did in one sentence; none ever deletes anything
of the person's (only a webhook of ours left at an old address).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.audience import (
    ensure_interest,
    ensure_interest_category,
    ensure_merge_fields,
    get_audience,
)
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.doctor.expected import Expected
from constituent.integrations.mailchimp.doctor.schemas import CheckName, FixOutcome
from constituent.integrations.mailchimp.merge_fields import repository as merge_field_rows
from constituent.integrations.mailchimp.merge_fields.catalog import FIELDS
from constituent.integrations.mailchimp.merge_fields.service import ensure_merge_field
from constituent.integrations.mailchimp.models import MailchimpIntegration, SourceTarget, WebhookState
from constituent.integrations.mailchimp.responses import InterestsPage
from constituent.integrations.mailchimp.webhook_registration import (
    delete_webhook,
    has_our_flags,
    list_webhooks,
    restore_flags,
)
from constituent.kit.crypto import SecretBox


async def record_audience_name(client: MailchimpClient, integration: MailchimpIntegration) -> FixOutcome:
    found = await get_audience(client, integration.audience_id)
    integration.audience_name = found.name
    return FixOutcome(
        check=CheckName.audience, done=True, said=f"Recorded the audience's new name, {found.name!r}."
    )


async def recreate_merge_fields(
    session: Session, client: MailchimpClient, integration: MailchimpIntegration
) -> FixOutcome:
    """Ours first (FNAME, LNAME, ADDRESS, PHONE), then the mapped ones; existing fields are left alone."""
    await ensure_merge_fields(client, integration.audience_id)
    for mapping in merge_field_rows.list_for(session, integration.id):
        field = FIELDS.get(mapping.contact_field)
        if field is not None:
            remote = await ensure_merge_field(client, integration.audience_id, field, mapping.tag)
            mapping.merge_id = remote.merge_id
    said = "Recreated the missing merge fields; run a Resync so every member gets its values again."
    return FixOutcome(check=CheckName.merge_fields, done=True, said=said)


async def recreate_interests(
    client: MailchimpClient, integration: MailchimpIntegration, expected: Expected
) -> FixOutcome:
    """The category (found by its title or created), then each of our interests missing from it."""
    category_id = await ensure_interest_category(client, integration.audience_id)
    integration.interest_category_id = category_id
    path = f"/lists/{integration.audience_id}/interest-categories/{category_id}/interests"
    present = {interest.id for interest in await client.collect(path, InterestsPage)}
    recreated = 0
    for source in integration.sources:
        wanted = source.target is SourceTarget.interest and source.interest_id in expected.interests
        if wanted and source.interest_id not in present:
            name = expected.interests[source.interest_id or ""]
            source.interest_id = await ensure_interest(client, integration.audience_id, category_id, name)
            recreated += 1
    said = f"Recreated our interest category and {recreated} interest(s); the next sync ticks them again."
    return FixOutcome(check=CheckName.interests, done=True, said=said)


async def repair_webhook(
    client: MailchimpClient,
    integration: MailchimpIntegration,
    expected: Expected,
    box: SecretBox,
    base_url: str,
) -> FixOutcome:
    """Register ours at this server's address (adopted if there), put its flags back, and delete ours
    left at an old address."""
    await service.register_integration_webhook(integration, box, base_url)
    if integration.webhook_state is not WebhookState.registered:
        said = f"Could not register the webhook: {expected.shown(integration.webhook_error)}"
        return FixOutcome(check=CheckName.webhook, done=False, said=said)
    for webhook in await list_webhooks(client, integration.audience_id):
        if webhook.id == integration.webhook_id:
            if not has_our_flags(webhook):
                await restore_flags(client, integration.audience_id, webhook.id)
        elif webhook.url.endswith(expected.webhook_path) or webhook.id == expected.webhook_id:
            await delete_webhook(client, integration.audience_id, webhook.id)
    said = f"Registered the webhook at {expected.shown(expected.webhook_url)}."
    return FixOutcome(check=CheckName.webhook, done=True, said=said)
