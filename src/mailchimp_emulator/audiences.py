"""Audiences (lists): the required fields of a create, the plan's cap, the merge fields every new list has."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mailchimp_emulator.errors import VALIDATION_DETAIL, ActionNotPermitted, InvalidResource
from mailchimp_emulator.hashing import new_hex_id
from mailchimp_emulator.state import Account, AudienceList, MergeField, Store

REQUIRED = ("name", "contact", "permission_reminder", "campaign_defaults", "email_type_option")
CONTACT_REQUIRED = ("company", "address1", "city", "country")
DEFAULTS_REQUIRED = ("from_name", "from_email", "subject", "language")
OPTIONAL_FLAGS = ("use_archive_bar", "double_optin", "marketing_permissions")
OPTIONAL_TEXT = ("notify_on_subscribe", "notify_on_unsubscribe")
# The fields Mailchimp puts on every new audience (recorded: FNAME is merge_id 1 with size 25).
DEFAULT_MERGE_FIELDS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("FNAME", "First Name", "text", {"size": 25}),
    ("LNAME", "Last Name", "text", {"size": 25}),
    ("ADDRESS", "Address", "address", {"default_country": 164}),
    ("PHONE", "Phone Number", "phone", {"phone_format": "none"}),
)


def validated_list_body(body: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    """The known list fields from a POST (all required ones present) or a PATCH (any subset)."""
    errors: list[dict[str, str]] = []
    if not partial:
        errors += [_required(name) for name in REQUIRED if name not in body]
    for name, required in (("contact", CONTACT_REQUIRED), ("campaign_defaults", DEFAULTS_REQUIRED)):
        if name in body:
            errors += _object_errors(body[name], name, required, partial)
    for name in ("name", "permission_reminder", *OPTIONAL_TEXT):
        if name in body and not isinstance(body[name], str):
            errors.append({"field": name, "message": "Schema describes string, other type found instead"})
    for name in ("email_type_option", *OPTIONAL_FLAGS):
        if name in body and not isinstance(body[name], bool):
            errors.append({"field": name, "message": "Schema describes boolean, other type found instead"})
    if isinstance(body.get("name"), str) and not body["name"].strip():
        errors.append({"field": "name", "message": "This value should not be blank."})
    if errors:
        raise InvalidResource(VALIDATION_DETAIL, errors)
    known = (*REQUIRED, *OPTIONAL_FLAGS, *OPTIONAL_TEXT)
    return {name: body[name] for name in known if name in body}


def create_list(store: Store, account: Account, fields: dict[str, Any], at: datetime) -> AudienceList:
    if not account.may_create_audience:
        raise ActionNotPermitted()
    audience = AudienceList(
        id=new_hex_id(store.rng),
        account_id=account.id,
        web_id=store.take_web_id(),
        name=fields["name"],
        contact=_contact(fields["contact"]),
        permission_reminder=fields["permission_reminder"],
        campaign_defaults=dict(fields["campaign_defaults"]),
        email_type_option=fields["email_type_option"],
        date_created=at,
    )
    update_list(audience, {k: v for k, v in fields.items() if k in (*OPTIONAL_FLAGS, *OPTIONAL_TEXT)})
    for order, (tag, name, kind, options) in enumerate(DEFAULT_MERGE_FIELDS):
        add_merge_field(audience, MergeField(0, tag, name, kind, order, options=dict(options)))
    store.add_list(account, audience)
    return audience


def update_list(audience: AudienceList, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name == "contact":
            audience.contact = {**audience.contact, **_contact(value)}
        elif name == "campaign_defaults":
            audience.campaign_defaults = {**audience.campaign_defaults, **value}
        else:
            setattr(audience, name, value)


def add_merge_field(audience: AudienceList, merge_field: MergeField) -> MergeField:
    merge_field.merge_id = audience.next_merge_id
    audience.next_merge_id += 1
    audience.merge_fields[merge_field.tag] = merge_field
    return merge_field


def _contact(raw: dict[str, Any]) -> dict[str, Any]:
    contact = {
        key: str(raw.get(key, "")) for key in ("company", "address1", "address2", "city", "state", "zip")
    }
    country = str(raw.get("country", ""))
    # The spec: a 2-letter ISO code, "defaults to US if invalid".
    contact["country"] = country.upper() if len(country) == 2 and country.isalpha() else "US"
    contact["phone"] = str(raw.get("phone", ""))
    return contact


def _required(name: str) -> dict[str, str]:
    return {"field": name, "message": "Required fields were not provided: " + name}


def _object_errors(value: Any, name: str, required: tuple[str, ...], partial: bool) -> list[dict[str, str]]:
    if not isinstance(value, dict):
        return [{"field": name, "message": "Schema describes object, other type found instead"}]
    if partial:
        return []
    return [_required(f"{name}.{key}") for key in required if not str(value.get(key, "")).strip()]
