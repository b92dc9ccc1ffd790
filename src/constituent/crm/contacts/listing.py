"""How the Contacts list is narrowed and ordered: by kind and status, sorted by name, when added or last gift.

Typed so the page, the API and the repository agree on the words; the repository turns them into SQL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from constituent.crm.contacts.models import ContactKind


class ContactSort(enum.StrEnum):
    name = "name"  # last name, then first name (indexed)
    newest = "newest"  # most recently added first (indexed created_at)
    last_gift = "last_gift"  # most recent gift first; people who never gave last


class ContactStatus(enum.StrEnum):
    """One status per contact, in this precedence, as the list shows it."""

    active = "active"  # active, living, may be emailed
    do_not_email = "do_not_email"
    deceased = "deceased"
    inactive = "inactive"


SORT_LABELS = {ContactSort.name: "Name", ContactSort.newest: "Newest", ContactSort.last_gift: "Last gift"}
STATUS_LABELS = {
    ContactStatus.active: "Active",
    ContactStatus.do_not_email: "Do not email",
    ContactStatus.deceased: "Deceased",
    ContactStatus.inactive: "Inactive",
}


@dataclass(frozen=True)
class ContactListing:
    """Which contacts a list shows and in what order; the defaults are everyone, by id."""

    kind: ContactKind | None = None
    status: ContactStatus | None = None
    sort: ContactSort | None = None
