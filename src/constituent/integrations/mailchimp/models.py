"""The tables of the Mailchimp integration: one row per connected audience, and what feeds it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from constituent.crm.contacts.models import _enum
from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime


class AuthKind(enum.StrEnum):
    api_key = "api_key"
    oauth = "oauth"


class SyncMode(enum.StrEnum):
    all_individuals = "all"  # every eligible individual is a member (the campaign-database way)
    groups = "groups"  # the chosen groups and saved searches decide membership (the donor-database way)


class InitialSync(enum.StrEnum):
    everyone = "everyone"
    new_only = "new-only"  # only contacts that join the synced groups after the integration was added


class WebhookState(enum.StrEnum):
    registered = "registered"
    not_registered = "not_registered"


class MailchimpIntegration(Base):
    __tablename__ = "mailchimp_integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    auth_kind: Mapped[AuthKind] = mapped_column(_enum(AuthKind, "mc_auth_kind"))
    # The API key or OAuth token, encrypted with the SECRET_KEYS (never stored or logged in clear).
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    dc: Mapped[str] = mapped_column(String(20))
    api_base: Mapped[str] = mapped_column(String(300))
    account_id: Mapped[str] = mapped_column(String(100), default="")
    account_name: Mapped[str] = mapped_column(String(200), default="")
    login_email: Mapped[str] = mapped_column(String(320), default="")

    audience_id: Mapped[str] = mapped_column(String(50))
    audience_name: Mapped[str] = mapped_column(String(200), default="")
    audience_web_id: Mapped[int | None] = mapped_column(Integer)
    audience_created_by_us: Mapped[bool] = mapped_column(Boolean, default=False)
    interest_category_id: Mapped[str | None] = mapped_column(String(50))

    mode: Mapped[SyncMode] = mapped_column(_enum(SyncMode, "mc_sync_mode"), default=SyncMode.all_individuals)
    initial_sync: Mapped[InitialSync] = mapped_column(
        _enum(InitialSync, "mc_initial_sync"), default=InitialSync.everyone
    )
    double_optin: Mapped[bool] = mapped_column(Boolean, default=False)
    nightly_time: Mapped[str] = mapped_column(String(5), default="02:00")
    accept_profile_changes: Mapped[bool] = mapped_column(Boolean, default=False)
    # A member unticking (or ticking) one of our interests in Mailchimp moves her out of (into) its group.
    # Off: the change is only noted as an activity; either way no sync re-ticks what she unticked.
    interests_follow_members: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    tag_prefix: Mapped[str] = mapped_column(String(50), default="")
    removal_guard_percent: Mapped[int] = mapped_column(Integer, default=10)

    webhook_id: Mapped[str | None] = mapped_column(String(50))
    # Part of the webhook URL; encrypted because it is a credential for our own endpoint.
    webhook_secret_encrypted: Mapped[str] = mapped_column(Text)
    webhook_state: Mapped[WebhookState] = mapped_column(
        _enum(WebhookState, "mc_webhook_state"), default=WebhookState.not_registered
    )
    webhook_error: Mapped[str] = mapped_column(Text, default="")

    last_error: Mapped[str] = mapped_column(Text, default="")
    # The sync lease: one run per integration at a time, across processes (see sync/lease.py).
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Counts every take-over of the lease: a run's writes carry the generation it took, and are
    # refused once another run has taken the lease since (fencing a paused or slow run).
    lease_generation: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    sources: Mapped[list[MailchimpSource]] = relationship(
        back_populates="integration", cascade="all, delete-orphan", order_by="MailchimpSource.id"
    )


class SourceKind(enum.StrEnum):
    group = "group"
    saved_search = "saved_search"


class SourceTarget(enum.StrEnum):
    membership = "membership"  # decides who is in the audience (groups mode)
    tag = "tag"
    interest = "interest"


class MailchimpSource(Base):
    """A group or saved search mapped onto the audience: as membership source, tag, or interest."""

    __tablename__ = "mailchimp_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"))
    kind: Mapped[SourceKind] = mapped_column(_enum(SourceKind, "mc_source_kind"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    saved_search_id: Mapped[int | None] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"))
    target: Mapped[SourceTarget] = mapped_column(_enum(SourceTarget, "mc_source_target"))
    # Tag name or interest name in Mailchimp (defaults to the group's or search's name).
    remote_name: Mapped[str] = mapped_column(String(200), default="")
    interest_id: Mapped[str | None] = mapped_column(String(50))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    integration: Mapped[MailchimpIntegration] = relationship(back_populates="sources")

    __table_args__ = (
        UniqueConstraint(
            "integration_id", "kind", "group_id", "saved_search_id", "target", name="uq_mc_source"
        ),
    )


class LeftTag(Base):
    """A tag we no longer manage and leave on the members we put it on (the user's choice when its
    search was deleted or its tag switched off: they may have built Mailchimp segments on it)."""

    __tablename__ = "mailchimp_left_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("mailchimp_integrations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("integration_id", "name", name="uq_mc_left_tag"),)


class PendingConnection(Base):
    """An "Add Integration" form waiting for the person to come back from Mailchimp's OAuth login.

    Only a hash of the OAuth ``state`` is stored; it is single-use, expires, and belongs to the user
    who submitted the form.
    """

    __tablename__ = "mailchimp_pending_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    form: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
