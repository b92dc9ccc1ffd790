"""The pure planner: what the database wants (desired) against what Mailchimp holds (ledger) → a Plan.

No I/O, no clock, no randomness: the same inputs always give the same operations in the same order
(by subscriber hash, then kind), so dry runs are stable and property tests can hammer it. Every rule
users rely on about consent lives here:

- a new address is created with ``status_if_new``; an existing member's status is never written, except
  ``status`` (= ``status_if_new``) to bring back a member we archived ourselves;
- unsubscribed, cleaned, forgotten, refused and archived-in-Mailchimp members get a Refusal; those
  unsubscribed or cleaned members that are ours still get their merge fields and our tags (no status),
  so Mailchimp's copy of them stays true;
- tags are owned by history: a tag the ledger says we wrote is removed once no search or group gives it
  (renamed, deleted, switched off, prefixed), unless the user chose to leave it on the members
  (``left_tags``); tags made in Mailchimp are never in the ledger, so never removed;
- only subscribed members we synced (``contact_id`` set, or the contact we synced it for deleted since)
  are archived when they stop qualifying;
- a primary-email change renames a subscribed member in place (Mailchimp renames no other status); any
  other status keeps its old member and the new address is added as new;
- the removal guard (``guard_trips``) says when archiving needs a person's confirmation; the run applies it
  over all its slices, a plan itself lists every archive;
- an interest the member unticked herself (``LedgerEntry.unticked_interests``) is never ticked again,
  whatever the database says (``respecting_member``).

``apply_to_ledger`` tells what the ledger becomes once a plan (or any part of it) has been applied; the
applier records each member's outcome with it, so planner and applier can never disagree on meaning.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, NamedTuple

from constituent.integrations.mailchimp.sync.types import (
    PROTECTED_STATUSES,
    AddTag,
    Archive,
    ChangeEmail,
    DesiredMember,
    Intent,
    LedgerEntry,
    Operation,
    Plan,
    Refusal,
    RemoteStatus,
    RemoveTag,
    Upsert,
    remote_status,
)

StatusIfNew = Literal["subscribed", "pending"]

# Only subscribed members can change address: "You can only update email addresses for members with a
# status of "subscribed."" (recorded; docs/MAILCHIMP-FIDELITY.md). A pending member is not renamed.
_RENAMABLE = frozenset({RemoteStatus.subscribed})
# Held members that are still kept current when they are ours: PUT without a status keeps theirs.
_KEPT_CURRENT = frozenset({RemoteStatus.unsubscribed, RemoteStatus.cleaned})

_NO_READD = "Mailchimp will not let us re-add this address"
_REFUSAL_MESSAGES = {
    RemoteStatus.unsubscribed: f"Unsubscribed in Mailchimp; {_NO_READD}",
    RemoteStatus.cleaned: f"Cleaned in Mailchimp (the address bounced); {_NO_READD}",
    RemoteStatus.forgotten: f"Permanently deleted in Mailchimp; {_NO_READD}",
    RemoteStatus.archived: "Archived in Mailchimp by someone there; we leave it archived",
}

ARCHIVE_REASON = "No longer qualifies for this audience"
DELETED_REASON = "The contact was deleted"
OWNER_CHANGED = "owning contact"

# The plan's order: by address, and within one address ChangeEmail, Upsert, AddTag, RemoveTag (tags by
# name), Archive, Refusal. A rename first (the member must carry its new address before anything else is
# written to it), then fields, then tags. The generators below yield each address's operations in it.


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """How one integration plans."""

    status_if_new: StatusIfNew = "subscribed"  # "pending" when double opt-in is on
    owned_tags: frozenset[str] = frozenset()  # every tag our searches and groups give today
    # Tags we stopped giving that the user chose to leave on the members (never removed while not owned).
    left_tags: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.status_if_new not in ("subscribed", "pending"):
            raise ValueError(f"status_if_new must be 'subscribed' or 'pending', not {self.status_if_new!r}")


def plan(
    desired: Mapping[str, DesiredMember],
    ledger: Mapping[str, LedgerEntry],
    options: PlanOptions,
    scope: frozenset[str] | None = None,
) -> Plan:
    """Operations that bring Mailchimp from ``ledger`` to ``desired``.

    ``scope`` None is a full sync: every ledger entry missing from ``desired`` no longer qualifies. An
    incremental run passes the hashes it looked at (its desired keys and the old hashes of changed
    contacts); ledger entries outside it are left alone, whatever ``desired`` says.
    """
    leavers = _leavers(desired, ledger, scope)
    renames = _renames(desired, ledger, leavers)
    renamed = {entry.subscriber_hash for entry in renames.values()}
    # Each address's operations come out in the plan's order (noted above ``PlanOptions``), so only the
    # addresses are sorted: sorting every operation cost more than planning them (a tag per search).
    by_address = list(_operations_for_desired(desired, ledger, renames, options))
    by_address += ((archive.subscriber_hash, [archive]) for archive in _archives(leavers, renamed))
    by_address.sort(key=_address)
    return Plan(operations=tuple(operation for _, operations in by_address for operation in operations))


def archive_count(
    desired: Mapping[str, DesiredMember], ledger: Mapping[str, LedgerEntry], scope: frozenset[str] | None
) -> int:
    """How many ``Archive`` operations ``plan`` lists for these inputs, without planning the rest (the
    removal guard's count before a run writes: it reads no member's fields, tags or fingerprint)."""
    leavers = _leavers(desired, ledger, scope)
    renamed = {entry.subscriber_hash for entry in _renames(desired, ledger, leavers).values()}
    return sum(1 for _ in _archives(leavers, renamed))


def operation_hash(operation: Operation) -> str:
    """The subscriber hash an operation is filed under (a rename under its NEW address)."""
    if isinstance(operation, Upsert | ChangeEmail):
        return operation.member.subscriber_hash
    return operation.subscriber_hash


def is_write(operation: Operation) -> bool:
    """Whether applying the operation sends anything to Mailchimp."""
    return not isinstance(operation, Refusal)


def refusal_message(entry: LedgerEntry) -> str:
    """The plain sentence shown on the contact when Mailchimp holds the address beyond our reach."""
    return entry.refused or _REFUSAL_MESSAGES.get(entry.status, f"{entry.status} in Mailchimp")


def is_held(entry: LedgerEntry) -> bool:
    """Whether Mailchimp holds the address in a state a sync must never change (so: no write at all)."""
    archived_there = entry.status is RemoteStatus.archived and not entry.archived_by_us
    return bool(entry.refused) or entry.status in PROTECTED_STATUSES or archived_there


# -- desired addresses -------------------------------------------------------------------------------


def _operations_for_desired(
    desired: Mapping[str, DesiredMember],
    ledger: Mapping[str, LedgerEntry],
    renames: Mapping[str, LedgerEntry],
    options: PlanOptions,
) -> Iterator[tuple[str, list[Operation]]]:
    """Each desired address with its operations, in plan order (those with none left out)."""
    for subscriber_hash, wanted in desired.items():
        entry = ledger.get(subscriber_hash)
        renamed_from = renames.get(subscriber_hash)
        member = respecting_member(wanted, entry or renamed_from)
        operations: list[Operation]
        if entry is not None:
            operations = list(_operations_for_known(member, entry, options))
        elif renamed_from is not None:
            operations = [ChangeEmail(old_hash=renamed_from.subscriber_hash, member=member)]
            operations += _tag_changes(member, renamed_from.tags, options)
        else:
            operations = [Upsert(member=member, is_new=True, status_if_new=options.status_if_new)]
            operations += _tag_changes(member, frozenset(), options)
        if operations:
            yield subscriber_hash, operations


def respecting_member(member: DesiredMember, entry: LedgerEntry | None) -> DesiredMember:
    """``member`` with every interest she unticked herself left unticked (her choice outranks ours)."""
    if entry is None or not entry.unticked_interests & member.interests.keys():
        return member
    interests = {
        interest_id: wanted and interest_id not in entry.unticked_interests
        for interest_id, wanted in member.interests.items()
    }
    return replace(member, interests=interests)


def _operations_for_known(
    member: DesiredMember, entry: LedgerEntry, options: PlanOptions
) -> Iterator[Operation]:
    if is_held(entry):
        if entry.status in _KEPT_CURRENT and entry.contact_id is not None:
            yield from _field_and_tag_updates(member, entry, options)
        yield Refusal(  # last, in the plan's order
            subscriber_hash=entry.subscriber_hash,
            email=member.email,
            contact_ids=member.contact_ids,
            status=entry.status,
            message=refusal_message(entry),
        )
        return
    if entry.status is RemoteStatus.archived:
        # We archived it; the contact qualifies again. Only `status` brings an archived member back.
        wanted = options.status_if_new
        yield Upsert(member=member, is_new=True, status_if_new=wanted, status=wanted)
        yield from _tag_changes(member, entry.tags, options)
        return
    if entry.intent is Intent.create:
        # A crashed run may or may not have created it (the intent log): sent as a create again, whose
        # status_if_new applies only if Mailchimp does not hold it.
        yield Upsert(member=member, is_new=True, status_if_new=options.status_if_new)
        yield from _tag_changes(member, entry.tags, options)
        return
    yield from _field_and_tag_updates(member, entry, options)


def _field_and_tag_updates(
    member: DesiredMember, entry: LedgerEntry, options: PlanOptions
) -> Iterator[Operation]:
    """Merge fields, interests and our tags of a member Mailchimp holds; never its status."""
    if entry.fingerprint != member.fingerprint:
        # The ledger keeps only a digest of what Mailchimp holds, so which field differs is unknown.
        yield Upsert(member=member, is_new=False, status_if_new=options.status_if_new)
    elif entry.contact_id != member.owner_contact_id:
        # Mailchimp holds the right data (e.g. someone who signed up there), but the ledger must record
        # whose member it now is: a member without its contact is never archived when the contact leaves.
        yield Upsert(
            member=member, is_new=False, status_if_new=options.status_if_new, changed_fields=(OWNER_CHANGED,)
        )
    yield from _tag_changes(member, entry.tags, options)


def _tag_changes(member: DesiredMember, held: frozenset[str], options: PlanOptions) -> Iterator[Operation]:
    """``held``: the tags the ledger says we wrote on the member (whatever their names are today)."""
    for tag in sorted(member.tags - held):
        yield AddTag(subscriber_hash=member.subscriber_hash, email=member.email, tag=tag)
    if not held:
        return  # nothing to take off (a new member): the sets below are made for every member planned
    left_alone = options.left_tags - options.owned_tags
    for tag in sorted(held - member.tags - left_alone):
        yield RemoveTag(subscriber_hash=member.subscriber_hash, email=member.email, tag=tag)


# -- addresses that left ---------------------------------------------------------------------------


def _leavers(
    desired: Mapping[str, DesiredMember], ledger: Mapping[str, LedgerEntry], scope: frozenset[str] | None
) -> list[LedgerEntry]:
    """Ledger entries the run looked at that the database no longer wants, in hash order."""
    return [
        ledger[subscriber_hash]
        for subscriber_hash in sorted(ledger)
        if subscriber_hash not in desired and (scope is None or subscriber_hash in scope)
    ]


def _renames(
    desired: Mapping[str, DesiredMember], ledger: Mapping[str, LedgerEntry], leavers: list[LedgerEntry]
) -> dict[str, LedgerEntry]:
    """New desired hash → the leaving entry of the same contact, renamed in place instead of re-created.

    If the new address is already in the ledger there is nothing to rename into: the leaver is archived
    and the existing member is handled as usual.
    """
    candidates: dict[int, list[LedgerEntry]] = {}
    for leaver in leavers:
        if leaver.contact_id is not None and leaver.status in _RENAMABLE and not leaver.refused:
            candidates.setdefault(leaver.contact_id, []).append(leaver)
    renames: dict[str, LedgerEntry] = {}
    for subscriber_hash in sorted(desired.keys() - ledger.keys()):
        member = desired[subscriber_hash]
        # The owner's own old address first, then the other sharers' in id order.
        for contact_id in (member.owner_contact_id, *member.contact_ids):
            if candidates.get(contact_id):
                renames[subscriber_hash] = candidates[contact_id].pop(0)
                break
    return renames


def _archives(leavers: Iterable[LedgerEntry], renamed: Collection[str]) -> Iterator[Archive]:
    for entry in leavers:
        # Only subscribed members we synced ourselves: other statuses are the person's or Mailchimp's
        # choice, and members that never had a contact (signed up there) were never ours to remove.
        ours = entry.contact_id is not None or entry.owner_deleted
        if entry.subscriber_hash in renamed:
            continue  # renamed in place instead
        if entry.status is RemoteStatus.subscribed and ours and not entry.refused:
            yield Archive(
                subscriber_hash=entry.subscriber_hash,
                email=entry.email,
                contact_id=entry.contact_id,
                reason=DELETED_REASON if entry.owner_deleted else ARCHIVE_REASON,
            )


# -- the whole plan ----------------------------------------------------------------------------------


def _address(operations_of: tuple[str, list[Operation]]) -> str:
    return operations_of[0]


def guard_trips(archives: int, audience_size: int, guard_percent: int) -> bool:
    """The removal guard: archiving more than ``guard_percent`` of the subscribed audience needs a
    person's confirmation. A plan lists its archives either way; the run applies this rule over the
    archives of all its slices (``execution``), so a plan knows nothing of the guard."""
    return audience_size > 0 and archives * 100 > guard_percent * audience_size


# -- the ledger after applying -----------------------------------------------------------------------


def apply_to_ledger(
    ledger: Mapping[str, LedgerEntry], operations: Plan | Iterable[Operation]
) -> dict[str, LedgerEntry]:
    """The ledger as it is once ``operations`` have all succeeded (pure: ``ledger`` is not changed).

    Takes a whole plan, or the operations of one applied page, in plan order.
    """
    result = dict(ledger)
    tagged: list[AddTag | RemoveTag] = []  # consecutive tag changes of one address, applied at once
    for operation in operations.operations if isinstance(operations, Plan) else operations:
        if isinstance(operation, AddTag | RemoveTag):
            if tagged and tagged[0].subscriber_hash != operation.subscriber_hash:
                _apply_tags(result, tagged)
            tagged.append(operation)
            continue
        _apply_tags(result, tagged)
        _apply(result, operation)
    _apply_tags(result, tagged)
    return result


class MemberAnswer(NamedTuple):
    """What Mailchimp's answer to a write says of the member: its status, and its person id ("" when the
    answer gives none: the one on record is kept)."""

    status: RemoteStatus
    person_id: str


def after_write(
    entry: LedgerEntry | None,
    upsert: Upsert | None,
    tags: Iterable[str],
    answer: MemberAnswer | None = None,
) -> LedgerEntry:
    """The entry once one batch-subscribe entry has succeeded: its upsert (if any), then its added tags.

    What ``apply_to_ledger`` gives for those operations (a property test holds the two together), made
    in one step: a first sync reads one back for every member, and the general path cost more than the
    request that wrote it. With Mailchimp's ``answer`` (the member's status, and its person id, kept when
    it gives none), the entry as recorded, in the same copy.
    """
    if upsert is None:
        if entry is None:
            raise ValueError("tags for an address the ledger does not hold (apply operations in plan order)")
        return replace(entry, tags=entry.tags.union(tags), **_answer_fields(entry, answer))
    return _after_upsert(entry, upsert, tags, answer)


def _answer_fields(entry: LedgerEntry, answer: MemberAnswer | None) -> dict[str, Any]:
    if answer is None:
        return {}
    return {"status": answer.status, "mc_contact_id": answer.person_id or entry.mc_contact_id}


def _apply_tags(ledger: dict[str, LedgerEntry], tagged: list[AddTag | RemoveTag]) -> None:
    """One address's run of tag changes, in order, as one new entry: a plan gives a member a tag for
    each of its searches, and copying the entry once per tag cost more than the batch requests."""
    if not tagged:
        return
    entry = _known(ledger, tagged[0].subscriber_hash, tagged[0])
    tags = set(entry.tags)
    for operation in tagged:
        if isinstance(operation, AddTag):
            tags.add(operation.tag)
        else:
            tags.discard(operation.tag)
    ledger[entry.subscriber_hash] = replace(entry, tags=frozenset(tags))
    tagged.clear()


def _apply(ledger: dict[str, LedgerEntry], operation: Operation) -> None:
    if isinstance(operation, Upsert):
        ledger[operation.member.subscriber_hash] = _after_upsert(
            ledger.get(operation.member.subscriber_hash), operation
        )
    elif isinstance(operation, ChangeEmail):
        old = ledger.pop(_known(ledger, operation.old_hash, operation).subscriber_hash)
        ledger[operation.member.subscriber_hash] = _synced(old, operation.member)
    elif isinstance(operation, Archive):
        entry = _known(ledger, operation.subscriber_hash, operation)
        ledger[entry.subscriber_hash] = replace(entry, status=RemoteStatus.archived, archived_by_us=True)
    # A Refusal writes nothing, so the ledger stays as it is.


def _after_upsert(
    entry: LedgerEntry | None,
    operation: Upsert,
    tags: Iterable[str] = (),
    answer: MemberAnswer | None = None,
) -> LedgerEntry:
    """``entry`` once the upsert (and ``tags`` added with it) succeeded (``after_write``'s ``answer``)."""
    member = operation.member
    if entry is None:
        status, person = answer or MemberAnswer(remote_status(operation.status_if_new), "")
        return LedgerEntry(
            subscriber_hash=member.subscriber_hash,
            email=member.email,
            status=status,
            contact_id=member.owner_contact_id,
            fingerprint=member.fingerprint,
            tags=frozenset(tags),
            last_contact_id=member.owner_contact_id,
            mc_contact_id=person,
        )
    # status_if_new applies only to an address Mailchimp does not hold; `status` brings back an archived one.
    status = remote_status(operation.status) if operation.status is not None else entry.status
    changes = {"status": status, **_answer_fields(entry, answer)}
    return _synced(entry, member, tags=entry.tags.union(tags), archived_by_us=False, **changes)


def _synced(entry: LedgerEntry, member: DesiredMember, **changes: Any) -> LedgerEntry:
    """``entry`` once Mailchimp holds ``member``'s address, merge fields and interests (tags unchanged),
    with ``changes`` made in the same copy."""
    return replace(
        entry,
        subscriber_hash=member.subscriber_hash,
        email=member.email,
        contact_id=member.owner_contact_id,
        fingerprint=member.fingerprint,
        last_contact_id=member.owner_contact_id,
        **changes,
    )


def _known(ledger: Mapping[str, LedgerEntry], subscriber_hash: str, operation: Operation) -> LedgerEntry:
    try:
        return ledger[subscriber_hash]
    except KeyError:
        raise ValueError(
            f"{type(operation).__name__} for {subscriber_hash}: the ledger holds no member at that address "
            "(apply operations in plan order)"
        ) from None
