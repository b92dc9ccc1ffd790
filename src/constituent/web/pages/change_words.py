"""The change log in words: who ("anne@org.example", "CSV import") and what ("email ann@x.org made
primary", "City changed from “Springfield” to “Shelbyville”"), never ``user:1`` or a column name.

The rows keep the machine form (the API and exports read it); only the page puts it into words, with
the names it needs looked up once per page: users by id, the contact's addresses by email id, group
names by membership id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from constituent.crm.activities.changelog import CREATED, DELETED
from constituent.crm.activities.models import ChangeLogEntry
from constituent.crm.merges.service import MERGED
from constituent.web.pages.contact_form import CONTACT_FIELD_LABELS

FIELD_LABELS = {
    **CONTACT_FIELD_LABELS,
    "amount": "amount",
    "currency": "currency",
    "received_on": "date received",
    "method": "method",
    "designation": "designation",
}
ACTORS = {"import": "CSV import", "Mailchimp": "Mailchimp", "mailchimp": "Mailchimp"}


@dataclass(frozen=True, slots=True)
class Names:
    """What the words need: user emails by user id, addresses by email id, group names by membership id."""

    users: Mapping[int, str]
    addresses: Mapping[int, str]
    groups: Mapping[int, str]


@dataclass(frozen=True, slots=True)
class ChangeLine:
    entry: ChangeLogEntry
    what: str
    by: str


def _value(text: str | None) -> str:
    if text in ("True", "true"):
        return "yes"
    if text in ("False", "false"):
        return "no"
    return f"“{text}”" if text else "empty"


def who(actor: str, names: Names) -> str:
    kind, _, rest = actor.partition(":")
    if kind == "user" and rest.isdigit():
        return names.users.get(int(rest), "a user who was removed")
    if kind == "api":
        return f"the API ({rest.replace('token-', 'token ')})" if rest else "the API"
    return ACTORS.get(actor, actor)


def _email(entry: ChangeLogEntry, names: Names) -> str:
    address = names.addresses.get(entry.entity_id or 0) or entry.new_value or entry.old_value or ""
    if entry.field == "address":
        if entry.old_value is None:
            return f"email {entry.new_value} added"
        if entry.new_value is None:
            return f"email {entry.old_value} removed"
        return f"email changed from {entry.old_value} to {entry.new_value}"
    if entry.field == "is_primary":
        made = entry.new_value in ("True", "true")
        return f"email {address} made primary" if made else f"email {address} no longer primary"
    if entry.field == "status":
        return f"email {address} marked {entry.new_value}"
    return f"email {address}: {entry.field.replace('_', ' ')} changed to {_value(entry.new_value)}"


def what(entry: ChangeLogEntry, names: Names) -> str:
    field = entry.field
    if entry.entity == "email":
        return _email(entry, names)
    if entry.entity == "membership":
        group = names.groups.get(entry.entity_id or 0, "a group")
        return f"added to {group}" if entry.new_value == "added" else f"removed from {group}"
    noun = "contribution" if entry.entity == "contribution" else entry.entity
    if field == CREATED:
        return f"{noun} added: {entry.new_value}"
    if field == DELETED:
        return f"{noun} deleted: {entry.old_value}"
    if field == MERGED:
        return f"merged with {entry.old_value}"
    label = FIELD_LABELS.get(field, field.replace("_", " "))
    if noun == "contribution":
        label = f"Contribution {label}"
    return f"{label} changed from {_value(entry.old_value)} to {_value(entry.new_value)}"


def in_words(entries: Sequence[ChangeLogEntry], names: Names) -> list[ChangeLine]:
    return [ChangeLine(entry, what(entry, names), who(entry.changed_by, names)) for entry in entries]
