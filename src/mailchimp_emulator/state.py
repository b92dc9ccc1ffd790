"""The emulator's whole state, in memory: accounts → audiences (lists) → members, fields, tags, webhooks.

Every record is a slotted dataclass because a 1,000,000-member audience must fit in under 2 GB: members keep
only
what differs from the defaults (empty merge values are not stored, empty tag sets are ``None``), and derived
fields (contact_id, full_name, counts) are computed when a member is rendered, not stored.

Routes mutate these objects directly; the event loop is single-threaded, so no locks are needed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mailchimp_emulator.hashing import new_api_key, new_hex_id, subscriber_hash
from mailchimp_emulator.member_index import MemberIndex
from mailchimp_emulator.readings import Readings

# Mailchimp's member statuses: the five a client may write, plus archived (the read-only result of DELETE).
WRITABLE_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional")
ALL_STATUSES = (*WRITABLE_STATUSES, "archived")
PLANS = ("forever_free", "monthly", "pay_as_you_go")
FREE_PLAN_AUDIENCES = 1
TRANSIENT = {"transient": True}  # a field persistence neither saves nor loads


@dataclass(slots=True)
class MergeField:
    merge_id: int
    tag: str
    name: str
    type: str
    display_order: int
    required: bool = False
    default_value: str = ""
    public: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    help_text: str = ""


@dataclass(slots=True)
class Interest:
    id: str
    category_id: str
    name: str
    display_order: int = 0


@dataclass(slots=True)
class InterestCategory:
    id: str
    title: str
    type: str
    display_order: int = 0
    interests: dict[str, Interest] = field(default_factory=dict)


@dataclass(slots=True)
class Segment:
    """A saved or static segment. Static segments are what Mailchimp's UI calls tags."""

    id: int
    name: str
    type: str
    created_at: datetime
    updated_at: datetime
    options: dict[str, Any] | None = None


@dataclass(slots=True)
class Member:
    id: str  # the subscriber hash: md5 of the lower-cased email
    email_address: str
    unique_email_id: str
    web_id: int
    status: str
    last_changed: datetime
    merge_fields: dict[str, Any] = field(default_factory=dict)  # only non-empty values
    interests: dict[str, bool] | None = None
    tags: dict[int, datetime] | None = None  # static segment id → when it was added
    email_type: str = "html"
    language: str = ""
    vip: bool = False
    ip_signup: str = ""
    timestamp_signup: datetime | None = None
    ip_opt: str = ""
    timestamp_opt: datetime | None = None
    member_rating: int = 2
    source: str = "API - Generic"
    unsubscribe_reason: str = ""
    # Hidden flags, never shown by the Mailchimp API but exported by the control API:
    # the person unsubscribed themselves or bounced, so the API may not subscribe them again.
    compliance: bool = False
    # How many opt-in confirmation emails a `pending` status would have sent.
    confirmations_sent: int = 0
    # The first unique_email_id: a rename gives the member a new unique_email_id but keeps its contact_id.
    first_unique_email_id: str = ""


@dataclass(slots=True)
class Webhook:
    id: str
    list_id: str
    url: str
    events: dict[str, bool]
    sources: dict[str, bool]
    enabled: bool
    created_at: datetime


@dataclass(slots=True)
class AudienceList:
    id: str
    account_id: str
    web_id: int
    name: str
    contact: dict[str, Any]
    permission_reminder: str
    campaign_defaults: dict[str, Any]
    email_type_option: bool
    date_created: datetime
    use_archive_bar: bool = False
    notify_on_subscribe: str = ""
    notify_on_unsubscribe: str = ""
    double_optin: bool = False
    marketing_permissions: bool = False
    visibility: str = "pub"
    merge_fields: dict[str, MergeField] = field(default_factory=dict)  # by tag
    interest_categories: dict[str, InterestCategory] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)  # by subscriber hash, insertion ordered
    forgotten: set[str] = field(default_factory=set)  # hashes of permanently deleted members
    segments: dict[int, Segment] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    last_sub_date: datetime | None = None
    last_unsub_date: datetime | None = None
    next_merge_id: int = 1
    # The member listing's filtered and sorted results by query (never saved: ``transient``), emptied by
    # ``members_changed`` whenever a member is added, removed, re-keyed or changes a field the listing
    # filters or sorts by, so repeated pages of one query are not each a pass over every member.
    listings: dict[tuple[str | None, ...], list[Member]] = field(
        default_factory=dict, repr=False, compare=False, metadata=TRANSIENT
    )
    # The members by status and the interests' counts (``member_index``), made on first use and dropped
    # by ``members_changed`` as the listings are.
    index: MemberIndex | None = field(default=None, repr=False, compare=False, metadata=TRANSIENT)

    def interest(self, interest_id: str) -> Interest | None:
        for category in self.interest_categories.values():
            if interest_id in category.interests:
                return category.interests[interest_id]
        return None

    def all_interests(self) -> Iterator[Interest]:
        for category in self.interest_categories.values():
            yield from category.interests.values()

    def members_changed(self) -> None:
        self.listings.clear()
        self.index = None

    def member_index(self) -> MemberIndex:
        if self.index is None:
            self.index = MemberIndex.of(self.members.values())
        return self.index

    def find_member(self, hash_or_email: str) -> Member | None:
        """The path segment may be the subscriber hash or the raw email address."""
        key = subscriber_hash(hash_or_email) if "@" in hash_or_email else hash_or_email.lower()
        return self.members.get(key)


@dataclass(slots=True)
class EmailActivity:
    """One open or click by a recipient, as /reports/{id}/email-activity lists it."""

    subscriber_hash: str
    action: str
    timestamp: datetime
    url: str = ""
    ip: str = ""


@dataclass(slots=True)
class Campaign:
    id: str
    web_id: int
    account_id: str
    type: str
    status: str
    create_time: datetime
    list_id: str = ""
    segment_id: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    send_time: datetime | None = None
    emails_sent: int = 0
    sent_to: list[str] = field(default_factory=list)  # subscriber hashes
    activity: list[EmailActivity] = field(default_factory=list)


@dataclass(slots=True)
class Batch:
    id: str
    account_id: str
    status: str
    submitted_at: datetime
    operations: list[dict[str, Any]] = field(default_factory=list)
    total_operations: int = 0
    finished_operations: int = 0
    errored_operations: int = 0
    completed_at: datetime | None = None
    archive: bytes | None = None


@dataclass(slots=True)
class OAuthApp:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    name: str = ""


@dataclass(slots=True)
class OAuthCode:
    code: str
    client_id: str
    account_id: str
    redirect_uri: str
    created_at: datetime
    used: bool = False


@dataclass(slots=True)
class OAuthToken:
    token: str
    client_id: str
    account_id: str
    created_at: datetime


@dataclass(slots=True)
class Account:
    id: str
    api_key: str
    dc: str
    plan: str
    created_at: datetime
    login: str = ""
    password: str = ""
    account_name: str = "Emulated Account"
    email: str = ""
    max_audiences: int | None = None
    lists: dict[str, AudienceList] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    batches: dict[str, Batch] = field(default_factory=dict)
    # How this account's Mailchimp reads where the real one is only probably known (switched by tests).
    readings: Readings = field(default_factory=Readings, metadata=TRANSIENT)

    @property
    def audience_cap(self) -> int | None:
        if self.max_audiences is not None:
            return self.max_audiences
        return FREE_PLAN_AUDIENCES if self.plan == "forever_free" else None

    @property
    def may_create_audience(self) -> bool:
        cap = self.audience_cap
        return cap is None or len(self.lists) < cap


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """What Mailchimp would post to a list's webhooks; ``data`` holds the flat, encoded form fields."""

    list_id: str
    type: str
    source: str
    fired_at: datetime
    data: dict[str, str]


def _drop_event(event: WebhookEvent) -> None:
    """The default sink: with no webhook delivery plugged in, events go nowhere."""


@dataclass(slots=True)
class Store:
    accounts: dict[str, Account] = field(default_factory=dict)
    accounts_by_key: dict[str, str] = field(default_factory=dict)
    lists: dict[str, AudienceList] = field(default_factory=dict)  # every account's lists, by id
    oauth_apps: dict[str, OAuthApp] = field(default_factory=dict)  # by client id
    oauth_codes: dict[str, OAuthCode] = field(default_factory=dict)
    oauth_tokens: dict[str, OAuthToken] = field(default_factory=dict)
    next_web_id: int = 100_001
    event_sink: Callable[[WebhookEvent], None] = _drop_event
    rng: random.Random = field(default_factory=random.Random)

    def listening(self, audience: AudienceList) -> bool:
        """Whether an event on this list could reach anyone; callers skip building unreceived payloads."""
        return bool(audience.webhooks) and self.event_sink is not _drop_event

    def emit(self, event: WebhookEvent) -> None:
        self.event_sink(event)

    def account_for_token(self, token: str) -> Account | None:
        """An API key or an OAuth access token → its account."""
        account_id = self.accounts_by_key.get(token)
        if account_id is None and token in self.oauth_tokens:
            account_id = self.oauth_tokens[token].account_id
        return self.accounts.get(account_id) if account_id else None

    def create_account(self, plan: str, now: datetime, dc: str = "us1", **extra: Any) -> Account:
        account_id = new_hex_id(self.rng, 25)
        account = Account(account_id, new_api_key(self.rng, dc), dc, plan, now, **extra)
        self.add_account(account)
        return account

    def add_account(self, account: Account) -> None:
        self.accounts[account.id] = account
        self.accounts_by_key[account.api_key] = account.id
        for audience in account.lists.values():
            self.lists[audience.id] = audience

    def add_list(self, account: Account, audience: AudienceList) -> None:
        account.lists[audience.id] = audience
        self.lists[audience.id] = audience

    def remove_list(self, account: Account, list_id: str) -> None:
        account.lists.pop(list_id, None)
        self.lists.pop(list_id, None)

    def readings_for(self, audience: AudienceList) -> Readings:
        account = self.accounts.get(audience.account_id)
        return account.readings if account is not None else Readings()

    def take_web_id(self) -> int:
        self.next_web_id += 1
        return self.next_web_id

    def clear(self) -> None:
        """Forget everything except the pluggable event sink."""
        self.accounts.clear()
        self.accounts_by_key.clear()
        self.lists.clear()
        self.oauth_apps.clear()
        self.oauth_codes.clear()
        self.oauth_tokens.clear()
