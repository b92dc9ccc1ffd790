"""The values the sync engine's parts pass to each other. Plain, frozen, hashable: no I/O, no ORM.

``DesiredMember`` is what the database says Mailchimp should hold for one address; ``LedgerEntry`` is
what we last saw or wrote there; the planner turns the two into ``Operation``s.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json
import json.encoder
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class RemoteStatus(enum.StrEnum):
    """A member's status in Mailchimp, plus the two states the API does not name."""

    subscribed = "subscribed"
    unsubscribed = "unsubscribed"
    cleaned = "cleaned"
    pending = "pending"
    transactional = "transactional"
    archived = "archived"
    # Permanently deleted ("forgotten"): Mailchimp refuses to re-import the address.
    forgotten = "forgotten"


_STATUS_BY_VALUE = {status.value: status for status in RemoteStatus}


def remote_status(value: str) -> RemoteStatus:
    """``RemoteStatus(value)`` as a dict lookup: the enum's own conversion costs 3 µs, and a run pays it
    several times for every member (2,076,773 calls in a 686,221-member first sync)."""
    try:
        return _STATUS_BY_VALUE[value]
    except KeyError:
        raise ValueError(f"{value!r} is not a valid RemoteStatus") from None


# Statuses that are the person's (or Mailchimp's) decision: a sync never changes them.
PROTECTED_STATUSES = frozenset({RemoteStatus.unsubscribed, RemoteStatus.cleaned, RemoteStatus.forgotten})


class Intent(enum.StrEnum):
    """A write sent to Mailchimp whose answer is not recorded yet (the intent log, stored before sending).

    After a crash the row says what Mailchimp may hold: ``create`` — maybe a member we created (so it is
    ours: re-sent while wanted, archived once its contact leaves); ``archive`` — maybe archived by us.
    """

    none = ""
    create = "create"
    archive = "archive"


@dataclass(frozen=True, slots=True)
class DesiredMember:
    """One address the database wants in the audience (several contacts may share it)."""

    subscriber_hash: str
    email: str  # as Mailchimp should show it (the owner's address, trimmed)
    owner_contact_id: int  # whose merge fields a shared address carries (desired._owner)
    contact_ids: tuple[int, ...]  # every contact sharing the address, ascending
    merge_fields: Mapping[str, Any]  # FNAME, LNAME, ADDRESS (dict or ""), PHONE, mapped extras
    tags: frozenset[str] = frozenset()  # tags we own that this member should carry
    # interest id -> wanted, for the interests we manage
    interests: Mapping[str, bool] = field(default_factory=dict)
    _fingerprint: str = field(init=False, default="", compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        """Computed once, when first asked: planning and recording compare it for every member, several
        times; the removal guard's count (``planner.archive_count``) never asks."""
        if not self._fingerprint:
            digest = fingerprint(self.email, self.merge_fields, self.interests)
            object.__setattr__(self, "_fingerprint", digest)
        return self._fingerprint


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What Mailchimp holds for one address, as far as we know."""

    subscriber_hash: str
    email: str
    status: RemoteStatus
    contact_id: int | None = None  # the owner we last synced, if any
    fingerprint: str = ""  # fingerprint of the email, merge fields and interests Mailchimp holds
    tags: frozenset[str] = frozenset()  # our tags active on the member (others' tags are never listed)
    archived_by_us: bool = False  # archived because the contact stopped qualifying (may be re-added)
    refused: str = ""  # Mailchimp's refusal (compliance / forgotten): never retried by a routine sync
    intent: Intent = Intent.none  # a write sent and not yet answered (see Intent)
    # The contact we last synced it for, kept after that contact is deleted (``contact_id`` is then None).
    last_contact_id: int | None = None
    # Interests the member unticked herself in Mailchimp (preference page): never ticked again by a sync.
    unticked_interests: frozenset[str] = frozenset()
    # Mailchimp's own id of the person (``contact_id`` in its member objects): the same after the address
    # changes there, so a rename whose webhook was lost is recognised (reconcile/changes.py). "" unknown.
    mc_contact_id: str = ""
    # Archived in Mailchimp by someone there while we knew the member subscribed or pending: the person
    # never left, so an administrator may restore it (``restore``); never set for one we archived.
    archived_by_hand: bool = False

    @property
    def owner_deleted(self) -> bool:
        """We synced this member for a contact that no longer exists."""
        return self.contact_id is None and self.last_contact_id is not None


_PRESENT = (RemoteStatus.subscribed, RemoteStatus.pending)


def hand_archived(old: LedgerEntry | None, status: RemoteStatus, *, by_us: bool = False) -> bool:
    """Whether a member now ``status`` was archived by hand in Mailchimp while it was present to us."""
    if status is not RemoteStatus.archived or by_us or old is None:
        return False
    return old.archived_by_hand or (old.status in _PRESENT and not old.refused)


# One encoder for every call: fingerprints are computed for every member of every run.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)
# The C encoder behind ``_CANONICAL.encode``, which builds it anew at every call (a quarter of a
# fingerprint's time), made once with the same settings; without its cycle check (a member's values
# never hold themselves). The same text: a property test compares the two.
_MAKE_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # not in the stubs
_C_CANONICAL: Any = (
    None
    if _MAKE_C_ENCODER is None
    else _MAKE_C_ENCODER(None, str, json.encoder.encode_basestring_ascii, None, ":", ",", True, False, True)
)


def canonical_json(value: Any) -> str:
    """``value`` as the fingerprint's canonical JSON (sorted keys, compact, ASCII, ``str`` of the rest)."""
    if _C_CANONICAL is None:
        return _CANONICAL.encode(value)  # pragma: no cover (an interpreter without json's C speedups)
    return "".join(_C_CANONICAL(value, 0))


def fingerprint(email: str, merge_fields: Mapping[str, Any], interests: Mapping[str, bool]) -> str:
    """A stable digest of what a sync writes, so an unchanged member costs no request (not a security use)."""
    canonical = canonical_json(
        {"email": email.strip().lower(), "merge_fields": merge_fields, "interests": interests}
    )
    return hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()


# -- operations ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upsert:
    """Create the member (with ``status_if_new``) or update its fields.

    ``status`` is sent only to bring back a member we archived: Mailchimp applies ``status_if_new`` only
    to addresses it does not hold, and it holds an archived member. Never for any other existing member.
    """

    member: DesiredMember
    is_new: bool
    status_if_new: str  # "subscribed", or "pending" with double opt-in
    changed_fields: tuple[str, ...] = ()  # for the dry-run report: which merge fields / interests differ
    status: str | None = None  # = status_if_new when re-adding a member we archived; otherwise None


@dataclass(frozen=True, slots=True)
class ChangeEmail:
    """The contact's primary email changed: rename the member in place, keeping its history."""

    old_hash: str
    member: DesiredMember


@dataclass(frozen=True, slots=True)
class AddTag:
    subscriber_hash: str
    email: str
    tag: str


@dataclass(frozen=True, slots=True)
class RemoveTag:
    """Only ever for tags we own."""

    subscriber_hash: str
    email: str
    tag: str


@dataclass(frozen=True, slots=True)
class Archive:
    """The contact stopped qualifying: archive (DELETE), never delete permanently. Only subscribed members."""

    subscriber_hash: str
    email: str
    contact_id: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """Nothing is sent: Mailchimp holds the person as unsubscribed, cleaned or forgotten. Never retried."""

    subscriber_hash: str
    email: str
    contact_ids: tuple[int, ...]
    status: RemoteStatus
    message: str


Operation = Upsert | ChangeEmail | AddTag | RemoveTag | Archive | Refusal


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the run reports that is not an error (e.g. two contacts share one address)."""

    kind: str
    message: str
    contact_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Plan:
    operations: tuple[Operation, ...]

    def of_type(self, kind: type[Any]) -> list[Any]:
        """The operations of one kind, in plan order."""
        return list(self._by_kind.get(kind, ()))

    def count(self, kind: type[Any]) -> int:
        """How many operations of one kind the plan holds."""
        return len(self._by_kind.get(kind, ()))

    @functools.cached_property
    def _by_kind(self) -> dict[type[Any], list[Operation]]:
        # Grouped once: a run asks for each kind several times, and a plan may hold a million operations.
        grouped: dict[type[Any], list[Operation]] = {}
        for operation in self.operations:
            grouped.setdefault(type(operation), []).append(operation)
        return grouped


@dataclass(frozen=True, slots=True)
class MemberError:
    """One member a run could not write, and why (Mailchimp's words)."""

    subscriber_hash: str
    email: str
    contact_id: int | None
    code: str
    message: str
