"""Static groups and memberships that keep their history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from constituent.crm.contacts.models import _enum
from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime


class MembershipStatus(enum.StrEnum):
    added = "added"
    removed = "removed"


class MembershipMethod(enum.StrEnum):
    user = "user"
    api = "api"
    import_ = "import"


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Deleted groups are kept, so their members' past memberships (and how they ended) are never lost;
    # they are left out of every list and lookup (repository.LIVE).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class GroupMembership(Base):
    """One stint of a contact in a group. Removing keeps the row (a past group); rejoining adds a new one."""

    __tablename__ = "group_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        _enum(MembershipStatus, "membership_status"), default=MembershipStatus.added
    )
    method: Mapped[MembershipMethod] = mapped_column(
        _enum(MembershipMethod, "membership_method"), default=MembershipMethod.user
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How the membership ended (e.g. "Removed (by API)" after a Mailchimp unsubscribe).
    removed_method: Mapped[MembershipMethod | None] = mapped_column(_enum(MembershipMethod, "removed_method"))
    removed_reason: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)

    group: Mapped[Group] = relationship()

    __table_args__ = (
        # A contact is in a group at most once at a time; past stints are unlimited.
        Index(
            "uq_group_memberships_current",
            "group_id",
            "contact_id",
            unique=True,
            sqlite_where=text("status = 'added'"),
            postgresql_where=text("status = 'added'"),
        ),
        # Covers "current members of group G" (saved searches' in_group) without touching the table.
        Index("ix_group_memberships_group_status_contact", "group_id", "status", "contact_id"),
    )
