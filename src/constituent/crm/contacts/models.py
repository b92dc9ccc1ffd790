"""Contacts and their emails."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from constituent.crm.contacts import search_index
from constituent.kit.clock import utcnow
from constituent.kit.db import Base, UTCDateTime


class ContactKind(enum.StrEnum):
    individual = "individual"
    organization = "organization"
    vendor = "vendor"


class EmailStatus(enum.StrEnum):
    ok = "ok"
    bounced = "bounced"
    invalid = "invalid"


def _enum(cls: type[enum.StrEnum], name: str) -> Enum:
    # Stored as plain strings with a CHECK constraint: readable in SQL and portable across databases.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
    )


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ContactKind] = mapped_column(_enum(ContactKind, "contact_kind"), index=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    organization_name: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_deceased: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_email: Mapped[bool] = mapped_column(Boolean, default=False)
    street: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="", index=True)
    state: Mapped[str] = mapped_column(String(100), default="", index=True)
    postal_code: Mapped[str] = mapped_column(String(20), default="", index=True)
    country: Mapped[str] = mapped_column(String(2), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    source: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)

    emails: Mapped[list[Email]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="Email.id"
    )

    __table_args__ = (Index("ix_contacts_last_first", "last_name", "first_name"),)

    @property
    def display_name(self) -> str:
        if self.kind != ContactKind.individual and self.organization_name:
            return self.organization_name
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.organization_name or f"Contact {self.id}"

    @property
    def primary_email(self) -> Email | None:
        return next((e for e in self.emails if e.is_primary), None)


class Email(Base):
    __tablename__ = "emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(320))
    # Lower-cased copy for matching (Mailchimp's subscriber hash is md5 of exactly this).
    address_normalized: Mapped[str] = mapped_column(String(320), index=True)
    domain: Mapped[str] = mapped_column(String(255))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[EmailStatus] = mapped_column(_enum(EmailStatus, "email_status"), default=EmailStatus.ok)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)

    contact: Mapped[Contact] = relationship(back_populates="emails")

    __table_args__ = (
        # At most one primary email per contact, enforced by the database itself.
        Index(
            "uq_emails_one_primary",
            "contact_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
        Index("uq_emails_contact_address", "contact_id", "address_normalized", unique=True),
        # Saved searches by email domain read the contact ids straight from this index.
        Index("ix_emails_domain_contact", "domain", "contact_id"),
    )


# The search box's indexes (FTS5 tables and triggers on SQLite, trigram indexes on PostgreSQL) come
# with the tables, after emails (the last of the two) is created.
search_index.install_after_create(Email.__table__)  # type: ignore[arg-type]
