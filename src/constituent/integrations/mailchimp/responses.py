"""Strict models of the Mailchimp responses we read: the fields we use are typed and required
(a malformed answer fails loudly at the seam), everything else Mailchimp sends is ignored."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

MemberStatus = Literal["subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def fields_read(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The dot paths of every field ``model`` reads, into nested models and lists of them: what a request
    names in ``fields`` to be answered only what it reads (Mailchimp's partial responses)."""
    paths: list[str] = []
    for name, info in model.model_fields.items():
        inner = _model_within(info.annotation)
        paths += fields_read(inner, f"{prefix}{name}.") if inner else [f"{prefix}{name}"]
    return paths


def _model_within(annotation: Any) -> type[BaseModel] | None:
    candidate = get_args(annotation)[0] if get_origin(annotation) is list else annotation
    return candidate if isinstance(candidate, type) and issubclass(candidate, BaseModel) else None


class AccountRoot(_Model):
    account_id: str
    account_name: str = ""
    email: str = ""
    pricing_plan_type: str = ""


class ListConstraints(_Model):
    may_create: bool
    max_instances: int
    current_total_instances: int


class ListStats(_Model):
    member_count: int = 0
    unsubscribe_count: int = 0
    cleaned_count: int = 0


class Audience(_Model):
    id: str
    name: str
    web_id: int | None = None
    stats: ListStats = Field(default_factory=ListStats)


class AudiencesOverview(_Model):
    """``GET /lists?fields=total_items,constraints``: how many audiences, and whether the plan allows more."""

    total_items: int
    constraints: ListConstraints


class AudiencesPage(_Model):
    lists: list[Audience]
    total_items: int
    constraints: ListConstraints | None = None

    @property
    def items(self) -> list[Audience]:
        return self.lists


class MergeField(_Model):
    merge_id: int
    tag: str
    name: str
    type: str


class MergeFieldsPage(_Model):
    merge_fields: list[MergeField]
    total_items: int

    @property
    def items(self) -> list[MergeField]:
        return self.merge_fields


class InterestCategory(_Model):
    id: str
    title: str
    type: str


class InterestCategoriesPage(_Model):
    categories: list[InterestCategory]
    total_items: int

    @property
    def items(self) -> list[InterestCategory]:
        return self.categories


class Interest(_Model):
    id: str
    name: str
    category_id: str


class InterestsPage(_Model):
    interests: list[Interest]
    total_items: int

    @property
    def items(self) -> list[Interest]:
        return self.interests


class MemberTag(_Model):
    id: int
    name: str


class Member(_Model):
    id: str
    email_address: str
    status: MemberStatus
    merge_fields: dict[str, Any] = Field(default_factory=dict)
    interests: dict[str, bool] = Field(default_factory=dict)
    tags: list[MemberTag] = Field(default_factory=list)
    last_changed: str = ""
    unsubscribe_reason: str = ""
    unique_email_id: str = ""
    # Mailchimp's id of the person: kept when the address changes (a new id and unique_email_id are not).
    contact_id: str = ""


class MembersPage(_Model):
    members: list[Member]
    total_items: int

    @property
    def items(self) -> list[Member]:
        return self.members


class BatchError(_Model):
    email_address: str = ""
    error: str = ""
    error_code: str = ""
    field: str = ""
    field_message: str = ""


class WrittenMember(_Model):
    """A member in a batch-subscribe answer, as far as the sync reads it: Mailchimp sends the whole
    member object (merge fields, tags, stats, location...) for each of up to 500 entries, and declaring
    only these fields lets the validator skip the rest while parsing."""

    id: str
    email_address: str
    status: MemberStatus
    last_changed: str = ""
    contact_id: str = ""  # Mailchimp's id of the person (see Member.contact_id)


class BatchSubscribeResult(_Model):
    new_members: list[WrittenMember] = Field(default_factory=list)
    updated_members: list[WrittenMember] = Field(default_factory=list)
    errors: list[BatchError] = Field(default_factory=list)
    total_created: int = 0
    total_updated: int = 0
    error_count: int = 0


class Segment(_Model):
    id: int
    name: str
    type: str = "static"
    member_count: int = 0


class SegmentsPage(_Model):
    segments: list[Segment]
    total_items: int

    @property
    def items(self) -> list[Segment]:
        return self.segments


class SegmentMembersResult(_Model):
    total_added: int = 0
    total_removed: int = 0


class Webhook(_Model):
    id: str
    url: str
    list_id: str
    events: dict[str, bool] = Field(default_factory=dict)
    sources: dict[str, bool] = Field(default_factory=dict)


class CampaignSettings(_Model):
    subject_line: str = ""
    title: str = ""


class CampaignRecipients(_Model):
    list_id: str = ""


class Campaign(_Model):
    id: str
    status: str
    send_time: str = ""
    archive_url: str = ""
    long_archive_url: str = ""
    emails_sent: int = 0
    settings: CampaignSettings = Field(default_factory=CampaignSettings)
    recipients: CampaignRecipients = Field(default_factory=CampaignRecipients)


class CampaignsPage(_Model):
    campaigns: list[Campaign]
    total_items: int

    @property
    def items(self) -> list[Campaign]:
        return self.campaigns


class SentTo(_Model):
    email_id: str
    email_address: str
    status: str = "sent"
    open_count: int = 0


class SentToPage(_Model):
    sent_to: list[SentTo]
    total_items: int

    @property
    def items(self) -> list[SentTo]:
        return self.sent_to


class Action(_Model):
    action: str  # "open", "click", "bounce"
    timestamp: str = ""
    url: str = ""


class EmailActivity(_Model):
    """One recipient's opens and clicks (``GET /reports/{campaign_id}/email-activity``)."""

    email_id: str = ""
    email_address: str = ""
    activity: list[Action] = Field(default_factory=list)


class EmailActivityPage(_Model):
    emails: list[EmailActivity]
    total_items: int

    @property
    def items(self) -> list[EmailActivity]:
        return self.emails


class OAuthTokenResponse(_Model):
    access_token: str


class OAuthMetadata(_Model):
    dc: str
    accountname: str = ""
    api_endpoint: str
    login: dict[str, Any] = Field(default_factory=dict)


def parse_timestamp(value: str) -> datetime | None:
    """A timestamp as Mailchimp writes it (ISO 8601 with an offset); None when empty or unreadable."""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
