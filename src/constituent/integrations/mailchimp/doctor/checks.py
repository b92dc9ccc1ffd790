"""The checks that ask Mailchimp: credentials, audience, merge fields, interests, webhook.

Each returns a typed result and never raises a Mailchimp error: a refusal or an outage is what the
check found. Fix lines say what to do in plain words; ``fixable`` says whether the doctor's fix can.
"""

from __future__ import annotations

from constituent.crm.errors import InvalidInput
from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.audience import (
    INTEREST_CATEGORY_TITLE,
    AccountRejected,
    get_audience,
    verify_account,
)
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.doctor.expected import Expected
from constituent.integrations.mailchimp.doctor.schemas import CheckName, CheckResult, failing, passing
from constituent.integrations.mailchimp.responses import (
    InterestCategoriesPage,
    InterestsPage,
    MergeFieldsPage,
)
from constituent.integrations.mailchimp.webhook_registration import (
    has_our_flags,
    list_webhooks,
    revalidate_webhook,
)

RESYNC = "then run a Resync so every member gets its values again"


async def credentials(client: MailchimpClient) -> CheckResult:
    name = CheckName.credentials
    try:
        account = await verify_account(client)
    except AccountRejected as exc:
        return failing(name, str(exc), "Connect the integration again with a valid API key or login.")
    except errors.MailchimpError as exc:
        return failing(name, f"Mailchimp could not be reached: {exc.describe()}", "Try again later.")
    return passing(name, f"Mailchimp accepts them (account {account.account_name or account.account_id}).")


async def audience(client: MailchimpClient, expected: Expected) -> CheckResult:
    name = CheckName.audience
    try:
        found = await get_audience(client, expected.audience_id)
    except InvalidInput:
        return failing(
            name,
            f"The audience {expected.audience_id} ({expected.audience_name!r}) no longer exists in this "
            "Mailchimp account.",
            "Remove this integration and connect the audience you want to use.",
        )
    if found.name == expected.audience_name:
        return passing(name, f"{found.name!r} ({found.id}) is there.")
    categories = await _category_ids(client, expected.audience_id)
    if expected.category_id in categories:  # our own category is there: the same audience, renamed
        return failing(
            name,
            f"The audience is now called {found.name!r} in Mailchimp "
            f"(we knew it as {expected.audience_name!r}).",
            "Record the new name (the automatic fix does this).",
            fixable=True,
        )
    return failing(
        name,
        f"The audience {found.id} is called {found.name!r} and holds none of our settings: it is not the "
        f"audience {expected.audience_name!r} that was connected.",
        "Remove this integration and connect the audience you want to use.",
    )


async def merge_fields(client: MailchimpClient, expected: Expected) -> CheckResult:
    name = CheckName.merge_fields
    fields = "merge_fields.merge_id,merge_fields.tag,merge_fields.name,merge_fields.type"
    path = f"/lists/{expected.audience_id}/merge-fields"
    present = {f.tag.upper(): f.type for f in await client.collect(path, MergeFieldsPage, fields=fields)}
    missing = sorted(tag for tag in expected.merge_fields if tag not in present)
    wrong = sorted(
        f"{tag} is a {present[tag]} field (we write {' or '.join(sorted(kinds))})"
        for tag, kinds in expected.merge_fields.items()
        if tag in present and present[tag] not in kinds
    )
    if not missing and not wrong:
        return passing(
            name, f"All {len(expected.merge_fields)} are there: {', '.join(expected.merge_fields)}."
        )
    found = "; ".join(
        ([f"Missing in Mailchimp: {', '.join(missing)}"] if missing else []) + [f"{w}" for w in wrong]
    )
    fixes = [f"Recreate {', '.join(missing)} (the automatic fix does this), {RESYNC}"] if missing else []
    if wrong:
        fixes.append("delete the mistyped field in Mailchimp or send that contact field to another tag")
    return failing(name, found + ".", "; ".join(fixes) + ".", fixable=bool(missing))


async def interests(client: MailchimpClient, expected: Expected) -> CheckResult:
    name = CheckName.interests
    categories = await _category_ids(client, expected.audience_id)
    if not expected.category_id or expected.category_id not in categories:
        return failing(
            name,
            f"Our interest category {INTEREST_CATEGORY_TITLE!r} is missing in Mailchimp.",
            f"Recreate it with our {len(expected.interests)} interest(s) (the automatic fix does this); the "
            "next sync ticks them again.",
            fixable=True,
        )
    path = f"/lists/{expected.audience_id}/interest-categories/{expected.category_id}/interests"
    present = {interest.id for interest in await client.collect(path, InterestsPage)}
    missing = sorted(name for interest_id, name in expected.interests.items() if interest_id not in present)
    if missing:
        return failing(
            name,
            f"Missing in Mailchimp: {', '.join(missing)}.",
            "Recreate them (the automatic fix does this); the next sync ticks them again.",
            fixable=True,
        )
    return passing(
        name, f"{INTEREST_CATEGORY_TITLE!r} and our {len(expected.interests)} interest(s) are there."
    )


async def _category_ids(client: MailchimpClient, audience_id: str) -> set[str]:
    path = f"/lists/{audience_id}/interest-categories"
    return {category.id for category in await client.collect(path, InterestCategoriesPage)}


async def webhook(client: MailchimpClient, expected: Expected) -> CheckResult:
    name = CheckName.webhook
    webhooks = await list_webhooks(client, expected.audience_id)
    ours = next((w for w in webhooks if w.url == expected.webhook_url), None)
    shown = expected.shown(expected.webhook_url)
    if ours is None:
        elsewhere = [
            w for w in webhooks if w.url.endswith(expected.webhook_path) or w.id == expected.webhook_id
        ]
        found = (
            f"It points at {expected.shown(elsewhere[0].url)}, not at this server's address {shown}."
            if elsewhere
            else "Mailchimp has no webhook of ours on the audience."
        )
        return failing(name, found, "Register it again (the automatic fix does this).", fixable=True)
    if not has_our_flags(ours):
        return failing(
            name,
            "It no longer listens to the events and sources we registered.",
            "Put our events and sources back (the automatic fix does this).",
            fixable=True,
        )
    try:
        await revalidate_webhook(client, expected.audience_id, ours.id, expected.webhook_url)
    except errors.InvalidResource as exc:
        return failing(
            name,
            f"Mailchimp cannot reach {shown}: {expected.shown(exc.describe())}",
            "Make this server reachable from the internet at its public address "
            "(the base URL it is configured with).",
        )
    return passing(name, f"Registered at {shown}, with our events and sources; Mailchimp reaches it.")
