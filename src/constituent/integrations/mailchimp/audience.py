"""The Mailchimp side of connecting: verify the account, find or create the audience, and make sure it
has the merge fields and interest category the sync needs."""

from __future__ import annotations

from typing import Any

from constituent.crm.errors import DomainError, InvalidInput
from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.responses import (
    AccountRoot,
    Audience,
    AudiencesOverview,
    AudiencesPage,
    Interest,
    InterestCategoriesPage,
    InterestCategory,
    InterestsPage,
    MergeFieldsPage,
)
from constituent.integrations.mailchimp.schemas import ConnectRequest

INTEREST_CATEGORY_TITLE = "Constituent groups"

# Merge fields the sync writes (tag → (label, type)). Mailchimp creates these four on every new
# audience, but an existing audience may lack some.
REQUIRED_MERGE_FIELDS: dict[str, tuple[str, str]] = {
    "FNAME": ("First Name", "text"),
    "LNAME": ("Last Name", "text"),
    "ADDRESS": ("Address", "address"),
    "PHONE": ("Phone Number", "phone"),
}


class AudienceLimitReached(DomainError):
    """The Mailchimp plan allows no more audiences."""

    def __init__(self, current: int | None = None, maximum: int | None = None) -> None:
        used = f" ({current} of {maximum} used)" if current is not None and maximum is not None else ""
        super().__init__(
            f"Your Mailchimp plan allows no more audiences{used}. Either delete an audience in Mailchimp "
            "and try again, or choose one of your existing audiences (--audience-id or --audience-name, "
            '"Use an existing audience" in the form). Nothing was created.'
        )


class AccountRejected(DomainError):
    """Mailchimp refused the API key or token."""


async def verify_account(client: MailchimpClient) -> AccountRoot:
    try:
        return await client.get_model(
            "/", AccountRoot, params={"fields": "account_id,account_name,email,pricing_plan_type"}
        )
    except errors.AuthError as exc:
        raise AccountRejected(
            f"Mailchimp did not accept these credentials ({exc.title}). Check the API key (it ends in "
            "'-us<N>') or connect again through Mailchimp's login."
        ) from exc


async def get_audience(client: MailchimpClient, audience_id: str) -> Audience:
    try:
        return await client.get_model(
            f"/lists/{audience_id}", Audience, params={"fields": "id,name,web_id,stats"}
        )
    except errors.NotFound as exc:
        raise InvalidInput("audience_id", f"no audience {audience_id!r} in this Mailchimp account") from exc


async def find_audience_by_name(client: MailchimpClient, name: str) -> Audience | None:
    fields = "lists.id,lists.name,lists.web_id,lists.stats"
    async for _, page in client.pages("/lists", AudiencesPage, fields=fields):
        for audience in page.lists:
            if audience.name.strip().lower() == name.strip().lower():
                return audience
    return None


async def create_audience(client: MailchimpClient, request: ConnectRequest, name: str) -> Audience:
    """Create the audience, after checking the plan's limit so nothing is attempted that must fail."""
    contact, defaults = _require_audience_details(request)
    overview = await client.get_model(
        "/lists", AudiencesOverview, params={"count": 1, "fields": "total_items,constraints"}
    )
    if not overview.constraints.may_create:
        raise AudienceLimitReached(
            overview.constraints.current_total_instances, overview.constraints.max_instances
        )
    body: dict[str, Any] = {
        "name": name,
        "contact": {
            "company": contact.company,
            "address1": contact.address1,
            "city": contact.city,
            "state": contact.state,
            "zip": contact.zip,
            "country": contact.country.upper(),
        },
        "permission_reminder": request.permission_reminder,
        "campaign_defaults": defaults.model_dump(),
        "email_type_option": False,
        "double_optin": request.double_optin,
    }
    try:
        # Not idempotent: a blind retry after a lost answer could create a second audience.
        return await client.send_model("POST", "/lists", Audience, body, idempotent=False)
    except errors.PlanLimit as exc:
        raise AudienceLimitReached() from exc
    except errors.InvalidResource as exc:
        field = exc.field_errors[0].field if exc.field_errors else "audience"
        raise InvalidInput(field, exc.describe()) from exc


def _require_audience_details(request: ConnectRequest) -> tuple[Any, Any]:
    if request.contact is None:
        raise InvalidInput("contact", "a new audience needs the organization's name and postal address")
    if request.campaign_defaults is None:
        raise InvalidInput("campaign_defaults", "a new audience needs a from name and from email")
    if not request.permission_reminder.strip():
        raise InvalidInput(
            "permission_reminder",
            'a new audience needs a permission reminder, e.g. "You are receiving this email because you '
            'signed up on our website."',
        )
    return request.contact, request.campaign_defaults


async def delete_audience(client: MailchimpClient, audience_id: str) -> None:
    """Undo an audience we created moments ago when a later step failed (keep nothing half-made)."""
    try:
        await client.request("DELETE", f"/lists/{audience_id}")
    except errors.NotFound:
        return


async def ensure_merge_fields(client: MailchimpClient, audience_id: str) -> None:
    fields = ",".join(f"merge_fields.{f}" for f in ("merge_id", "tag", "name", "type"))
    present = {
        field.tag
        for field in await client.collect(
            f"/lists/{audience_id}/merge-fields", MergeFieldsPage, fields=fields
        )
    }
    for tag, (label, kind) in REQUIRED_MERGE_FIELDS.items():
        if tag not in present:
            await client.request(
                "POST",
                f"/lists/{audience_id}/merge-fields",
                json={"tag": tag, "name": label, "type": kind, "required": False},
                idempotent=False,
            )


async def ensure_interest_category(client: MailchimpClient, audience_id: str) -> str:
    path = f"/lists/{audience_id}/interest-categories"
    for category in await client.collect(path, InterestCategoriesPage):
        if category.title == INTEREST_CATEGORY_TITLE:
            return category.id
    created = await client.send_model(
        "POST",
        f"/lists/{audience_id}/interest-categories",
        InterestCategory,
        {"title": INTEREST_CATEGORY_TITLE, "type": "checkboxes"},
        idempotent=False,
    )
    return created.id


async def ensure_interest(client: MailchimpClient, audience_id: str, category_id: str, name: str) -> str:
    """The id of the interest called ``name`` in our category, created when missing."""
    path = f"/lists/{audience_id}/interest-categories/{category_id}/interests"
    for interest in await client.collect(path, InterestsPage):
        if interest.name.strip().lower() == name.strip().lower():
            return interest.id
    created = await client.send_model("POST", path, Interest, {"name": name}, idempotent=False)
    return created.id
