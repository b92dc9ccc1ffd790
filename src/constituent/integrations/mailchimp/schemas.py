"""What a person gives to connect Mailchimp, and what we show about a connected integration."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from constituent.integrations.mailchimp.models import (
    InitialSync,
    MailchimpIntegration,
    SyncMode,
    WebhookState,
)

# HH:MM, 24-hour (00:00 to 23:59).
NIGHTLY_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class AudienceContact(BaseModel):
    """The postal contact Mailchimp requires on every audience (anti-spam law); names as Mailchimp's."""

    company: str = Field(min_length=1, max_length=200)
    address1: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    state: str = ""
    zip: str = ""
    country: str = Field(min_length=2, max_length=2, description="Two-letter ISO code")


class CampaignDefaults(BaseModel):
    from_name: str = Field(min_length=1, max_length=100)
    from_email: str = Field(min_length=3, max_length=320)
    subject: str = Field(
        min_length=1, max_length=150, description="Default subject line (Mailchimp requires one)"
    )
    language: str = Field(default="en", min_length=2, max_length=10)


class ConnectRequest(BaseModel):
    """Everything "Add Integration" needs. Audience fields are only required when we create the audience."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    api_key: str | None = Field(default=None, repr=False)
    audience_id: str | None = None
    audience_name: str | None = None
    contact: AudienceContact | None = None
    permission_reminder: str = ""
    campaign_defaults: CampaignDefaults | None = None
    mode: SyncMode = SyncMode.all_individuals
    groups: list[str] = Field(
        default_factory=list, description="Group names feeding the audience (groups mode)"
    )
    initial_sync: InitialSync = InitialSync.everyone
    double_optin: bool = False
    nightly_time: str = "02:00"
    start_first_sync: bool = Field(
        default=False,
        description="Start the first sync as soon as Mailchimp is connected; otherwise nothing is sent "
        "(nightly syncs included) until someone starts it",
    )

    @field_validator("nightly_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not NIGHTLY_TIME.match(value):
            raise ValueError("nightly_time must be HH:MM (24-hour), e.g. 02:00")
        return value


class IntegrationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    auth_kind: str
    dc: str
    account_name: str
    login_email: str
    audience_id: str
    audience_name: str
    audience_url: str = ""
    mode: SyncMode
    initial_sync: InitialSync
    double_optin: bool
    nightly_time: str
    accept_profile_changes: bool
    interests_follow_members: bool
    removal_guard_percent: int
    tag_prefix: str
    webhook_id: str | None
    webhook_state: WebhookState
    webhook_error: str
    groups: list[str] = Field(default_factory=list)  # ids of the groups mapped onto the audience
    created_at: datetime

    @classmethod
    def of(cls, integration: MailchimpIntegration) -> IntegrationOut:
        groups = [str(s.group_id) for s in integration.sources if s.group_id is not None]
        return cls.model_validate(integration).model_copy(update={"groups": groups})


class SettingsChange(BaseModel):
    """The options that can change after connecting; a field left out (or null) stays as it is.

    Only types are checked here; ``settings.update_settings`` checks the values, so the API, the CLI
    and the page report a bad value the same way (InvalidInput naming the field).
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str | None = Field(default=None, description="1 to 200 characters")
    nightly_time: str | None = Field(
        default=None, description="HH:MM, 24-hour, in the organization's time zone"
    )
    double_optin: bool | None = Field(
        default=None, description="Members added from now on must confirm by email; existing ones keep theirs"
    )
    accept_profile_changes: bool | None = Field(
        default=None, description="Apply name edits members make in Mailchimp to the contact"
    )
    interests_follow_members: bool | None = Field(
        default=None,
        description="A member unticking (ticking) one of our interests in Mailchimp leaves (joins) "
        "its group; "
        "off: only noted as an activity. Either way no sync ticks it again.",
    )
    removal_guard_percent: int | None = Field(
        default=None, description="Stop a sync that would archive more than this percent of members (1-100)"
    )
