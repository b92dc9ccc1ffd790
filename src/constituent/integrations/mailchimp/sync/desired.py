"""The desired state: what the CRM says the audience should hold, and which contacts may have changed.

``build_desired`` reads everything in one SELECT: eligible contacts joined to their primary email,
restricted to the audience (see ``tagging``), with every tag and interest evaluated as a bit of an
integer mask in the same row. Each saved search's subqueries are computed once by the database,
never per contact, so a million contacts cost one scan plus a pass in Python.

``incremental_candidates`` finds what an incremental run must look at, without building anyone:

1. contacts whose own rows changed after ``since`` (contact, emails, memberships, gifts, and the
   change log, which is where deletions of emails and gifts leave their trace);
2. contacts who entered or left a search with no row changing (``candidates.movement``): once a day
   has passed, a search reading the calendar (``days_ago``; the quick lists "New contacts",
   "Recent donors", and "Lapsed donors" at a new year) is evaluated as it read at ``since`` and
   as it reads today, in one SELECT over the audience that returns only those whose answers
   differ. The ledger holds what was true at ``since`` (that is what incremental sync relies on
   for every unchanged contact), so these are exactly the members whose tags must change;
3. tags with no "as it was": a search created or redefined after ``since``, and every quick list
   after the organization settings (the major-donor threshold) changed. These are evaluated over
   the whole audience as sets of ids (all in one scan); the engine compares each with the
   ledger's holders of that tag and the differences join the candidates (``with_drift``).
   Searches over changed rows only are never evaluated here: ``build_desired(contact_ids=...)``
   evaluates them for the candidates alone;
4. the whole audience, when a membership source is a moving search (groups mode);
5. ``needs_full``: the layout changed (a source added, removed or renamed, a group renamed, the tag
   prefix or mode changed), so every member may look different: the engine builds the whole state.

The desired state of the candidates is then read in one statement that starts from their addresses
(a temporary table, see ``desired_repository.desired_rows``), so its cost follows the number of
candidates, not the size of the CRM: 20,000 candidates cost what a first sync of 20,000 costs.

A no-change run on the same day therefore costs five range scans and reads no search at all; the
first run of a new day adds one scan of the audience that returns only the contacts who crossed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.sync import desired_repository as repo
from constituent.integrations.mailchimp.sync.candidates import Clock, Movement, movement, predicate_on
from constituent.integrations.mailchimp.sync.merge_values import contact_merge_fields
from constituent.integrations.mailchimp.sync.tagging import Flag, SyncLayout, layout_for
from constituent.integrations.mailchimp.sync.types import DesiredMember, Notice

SHARED_EMAIL = "shared_email"  # the kind of notice saying that several contacts share one address

# Position of the columns in ``desired_repository.ELIGIBLE_COLUMNS``; mapped fields follow, then masks.
_ID, _ADDRESS, _NORMALIZED, _FIRST_EXTRA = 0, 9, 10, 11


@dataclass(frozen=True)
class DesiredResult:
    members: dict[str, DesiredMember]  # by subscriber hash
    notices: list[Notice]
    owned_tags: frozenset[str]
    left_tags: frozenset[str] = frozenset()  # tags we stopped giving, left on members by the user's choice
    managed_interests: tuple[str, ...] = ()  # interest ids we set on every member
    config: str = ""  # the layout's fingerprint: pass it as ``last_config`` to the next incremental run
    merge_field_types: Mapping[str, str] = field(default_factory=dict)  # mapped tag -> Mailchimp type


@dataclass(frozen=True)
class Candidates:
    contact_ids: frozenset[int]  # rows changed since ``since``, and who crossed a calendar search
    tag_members: Mapping[str, frozenset[int]]  # tag -> who should carry it now, to compare in full
    audience: frozenset[int] | None  # everyone who belongs in the audience now, when it must be compared
    needs_full: bool  # the layout changed: build the whole desired state
    config: str = ""

    def with_drift(
        self, ledger_tags: Mapping[str, Collection[int]], ledger_contacts: Collection[int] = ()
    ) -> set[int]:
        """The candidates plus everyone whose tag or audience membership differs from the ledger's.

        ``ledger_tags``: for each tag in ``tag_members``, the contacts the ledger shows carrying it;
        ``ledger_contacts``: the contacts the ledger holds as current members (only read when
        ``audience`` is set).
        """
        found = set(self.contact_ids)
        for tag, members in self.tag_members.items():
            found |= members.symmetric_difference(ledger_tags.get(tag, ()))
        if self.audience is not None:
            found |= self.audience.symmetric_difference(ledger_contacts)
        return found


# A statement that reads at most this share of the contacts reads its searches per contact. Measured at
# 146,413 contacts (docs/BENCHMARKS.md, "a slice reads its searches per contact"): for 2,000 contacts, 6x
# faster on SQLite and 5x on PostgreSQL; for 20,000 (14%) about even on SQLite and 2.3x slower on
# PostgreSQL, where a keyed probe per contact and search costs more than one pass over the table.
PER_CONTACT_SHARE = 1 / 20


def reads_per_contact(contacts_read: int, all_contacts: int) -> bool:
    """Whether a statement reading ``contacts_read`` of ``all_contacts`` contacts should evaluate its
    searches per contact (``compile_predicate(per_contact=True)``) rather than once over each table."""
    return contacts_read <= all_contacts * PER_CONTACT_SHARE


def build_desired(
    session: Session,
    integration: MailchimpIntegration,
    today: date,
    contact_ids: Collection[int] | None = None,
    *,
    also_addresses: Collection[str] = (),
    layout: SyncLayout | None = None,
    per_contact: bool = False,
) -> DesiredResult:
    """Every member the audience should hold; with ``contact_ids``, only the members of those contacts.

    Restricted, it still reads every contact sharing an address with them (so owner and unions stay
    right) and the addresses in ``also_addresses`` (e.g. the ledger's addresses of those contacts,
    so a member whose contact moved away is rebuilt from whoever else still has it). ``per_contact``
    (restricted only): the searches are read per contact (``reads_per_contact`` says when it pays).
    """
    layout = layout or layout_for(session, integration, today)
    addresses = None
    if contact_ids is not None:
        addresses = repo.primary_addresses(session, contact_ids) | {a.strip().lower() for a in also_addresses}
    flagged = (*layout.tags, *layout.interests)
    if addresses is not None and per_contact:
        # A small slice of the contacts: each search probes per contact, not a pass over its tables.
        audience, flags = layout.slice_audience, [flag.slice_predicate for flag in flagged]
    else:
        audience, flags = layout.audience, [flag.predicate for flag in flagged]
    extra = [mapped.field.column for mapped in layout.merge_fields]
    rows = repo.desired_rows(session, audience, flags, addresses=addresses, extra=extra)
    members, shared = _MemberBuilder(layout).build(rows)
    return DesiredResult(
        members=members,
        notices=[*layout.notices, *shared],
        owned_tags=layout.owned_tags,
        left_tags=layout.left_tags,
        managed_interests=layout.managed_interests,
        config=layout.config,
        merge_field_types=layout.merge_field_types,
    )


def incremental_candidates(
    session: Session,
    integration: MailchimpIntegration,
    since: datetime,
    today: date,
    *,
    last_config: str | None = None,
    layout: SyncLayout | None = None,
) -> Candidates:
    """What an incremental run must look at (see the module docstring).

    ``last_config`` is the ``config`` of the last run's desired state; when it is unknown (None) or
    differs, ``needs_full`` is set, because a renamed tag or a new interest touches every member.
    """
    layout = layout or layout_for(session, integration, today)
    clock = Clock(since, today, repo.settings_changed_since(session, since))
    moves = [(flag.search, movement(session, flag.search, clock)) for flag in layout.tags if flag.search]
    crossing = [
        (predicate_on(session, search, since.date()), predicate_on(session, search, today))
        for search, move in moves
        if move is Movement.calendar
    ]
    changed = repo.changed_contact_ids(session, since) | repo.crossed_ids(session, layout.audience, crossing)
    redefined = {search.id for search, move in moves if move is Movement.redefined}
    compared = [flag for flag in layout.tags if flag.search and flag.search.id in redefined]
    membership_moves = (movement(session, s, clock) for s in layout.membership_searches)
    whole_audience = any(move is not Movement.none for move in membership_moves)
    # A saved search as an interest whose members may have moved: every member's interests are rebuilt.
    interests_moved = any(
        movement(session, flag.search, clock) is not Movement.none for flag in layout.interests if flag.search
    )
    tag_members, audience = _members_now(session, layout, compared, whole_audience)
    return Candidates(
        frozenset(changed),
        tag_members,
        frozenset(audience) if whole_audience else None,
        layout.config != last_config or interests_moved,
        layout.config,
    )


def _members_now(
    session: Session, layout: SyncLayout, compared: list[Flag], whole_audience: bool
) -> tuple[dict[str, frozenset[int]], set[int]]:
    """Who carries each compared tag now, and (when asked) everyone in the audience now."""
    members: list[set[int]] = [set() for _ in compared]
    audience: set[int] = set()
    flags = [flag.predicate for flag in compared]
    if not flags and not whole_audience:
        return {}, audience
    for contact_id, mask in repo.flagged_ids(session, layout.audience, flags, everyone=whole_audience):
        audience.add(contact_id)
        for bit, flag_members in enumerate(members):
            if mask >> bit & 1:
                flag_members.add(contact_id)
    return {flag.name: frozenset(ids) for flag, ids in zip(compared, members, strict=True)}, audience


@dataclass
class _MemberBuilder:
    """Rows (one per contact) to members (one per address); ``_owner`` says whose details a shared one has."""

    layout: SyncLayout
    _tag_sets: dict[int, frozenset[str]] = field(default_factory=dict)
    _interest_sets: dict[int, dict[str, bool]] = field(default_factory=dict)

    def build(self, rows: Any) -> tuple[dict[str, DesiredMember], list[Notice]]:
        """One pass, keeping no rows: a second contact at an address is merged into its member."""
        members: dict[str, DesiredMember] = {}
        for row in rows:
            member = self.member(row)
            earlier = members.get(member.subscriber_hash)
            members[member.subscriber_hash] = member if earlier is None else _shared(earlier, member)
        notices = [_notice(m) for m in members.values() if len(m.contact_ids) > 1]
        return members, sorted(notices, key=lambda notice: notice.contact_ids)

    def member(self, row: Any) -> DesiredMember:
        mask = self.mask(row)
        return DesiredMember(
            subscriber_hash=subscriber_hash(row[_NORMALIZED]),
            email=row[_ADDRESS].strip(),
            owner_contact_id=row[_ID],
            contact_ids=(row[_ID],),
            merge_fields=self.merge_fields(row),
            tags=self.tags(mask),
            interests=self.interests(mask),
        )

    def merge_fields(self, row: Any) -> dict[str, Any]:
        values = contact_merge_fields(*row[1:_ADDRESS])
        for position, mapped in enumerate(self.layout.merge_fields, start=_FIRST_EXTRA):
            values[mapped.tag] = mapped.field.value(row[position])
        return values

    def mask(self, row: Any) -> int:
        parts = row[_FIRST_EXTRA + len(self.layout.merge_fields) :]
        return repo.combined_mask(parts) if parts else 0

    def tags(self, mask: int) -> frozenset[str]:
        tag_bits = mask & ((1 << len(self.layout.tags)) - 1)
        if tag_bits not in self._tag_sets:
            names = {flag.name for bit, flag in enumerate(self.layout.tags) if tag_bits >> bit & 1}
            self._tag_sets[tag_bits] = frozenset(names)
        return self._tag_sets[tag_bits]

    def interests(self, mask: int) -> dict[str, bool]:
        interest_bits = mask >> len(self.layout.tags)
        if interest_bits not in self._interest_sets:
            wanted = {f.name for bit, f in enumerate(self.layout.interests) if interest_bits >> bit & 1}
            self._interest_sets[interest_bits] = {i: i in wanted for i in self.layout.managed_interests}
        # Members share the mapping: DesiredMember is frozen and nobody mutates it.
        return self._interest_sets[interest_bits]


def _completeness(member: DesiredMember) -> int:
    return sum(1 for value in member.merge_fields.values() if value not in ("", None))


def _owner(one: DesiredMember, other: DesiredMember) -> DesiredMember:
    """The shared address's owner: the most complete record (most merge fields filled), then the
    longest-standing (lowest contact id), so a newer, emptier duplicate never takes a member over."""
    return min(one, other, key=lambda m: (-_completeness(m), m.owner_contact_id))


def _shared(one: DesiredMember, other: DesiredMember) -> DesiredMember:
    """Two contacts' members for one address: the owner's details, the union of tags and interests."""
    owner = _owner(one, other)
    interests = {key: wanted or other.interests.get(key, False) for key, wanted in one.interests.items()}
    return DesiredMember(
        subscriber_hash=owner.subscriber_hash,
        email=owner.email,
        owner_contact_id=owner.owner_contact_id,
        contact_ids=tuple(sorted(one.contact_ids + other.contact_ids)),
        merge_fields=owner.merge_fields,
        tags=one.tags | other.tags,
        interests=interests,
    )


def _notice(member: DesiredMember) -> Notice:
    count, owner = len(member.contact_ids), member.owner_contact_id
    message = f"{count} contacts share {member.email}; contact {owner}'s details are used (the most complete)"
    return Notice(SHARED_EMAIL, message, member.contact_ids)
