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

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


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

    @field_validator("nightly_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not _TIME.match(value):
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
    webhook_id: str | None
    webhook_state: WebhookState
    webhook_error: str
    groups: list[str] = Field(default_factory=list)  # ids of the groups mapped onto the audience
    created_at: datetime

    @classmethod
    def of(cls, integration: MailchimpIntegration) -> IntegrationOut:
        groups = [str(s.group_id) for s in integration.sources if s.group_id is not None]
        return cls.model_validate(integration).model_copy(update={"groups": groups})
