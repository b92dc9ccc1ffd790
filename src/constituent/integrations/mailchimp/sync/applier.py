"""The applier: executes a Plan with as few Mailchimp requests as the API allows.

It is a boundary, like the CSV import: it gets a session factory and commits once per page of results
(ledger rows, run counters and errors together, see ``recorder``), so a crash loses at most the pages in
flight and a rerun, which re-plans from the ledger, resumes without sending anything twice.

Phases, in order (a later phase may rely on an earlier one's result):
1. renames (``ChangeEmail``): one PATCH each, concurrently; "Member Exists" → archive the old address
   and update the existing member instead;
2. upserts and added tags: batch subscribe, 500 members per request, pages concurrently;
3. removed tags (ours only): one static-segment call per tag and 500 addresses;
4. archives: one DELETE each, concurrently (a 405 means Mailchimp will not archive it: its status is
   read back and recorded instead);
5. refusals: nothing is sent; the contact is told once.
Concurrency is capped by the client (≤10 requests in flight per account).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.responses import BatchSubscribeResult, Member, parse_timestamp
from constituent.integrations.mailchimp.sync import segments
from constituent.integrations.mailchimp.sync.batch_subscribe import (
    ANSWER_FIELDS,
    PAGE_MEMBERS,
    MemberWrite,
    PageContext,
    member_writes,
    page_body,
    read_page,
)
from constituent.integrations.mailchimp.sync.lease import Lease, LeaseLost
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.models import RunCounter
from constituent.integrations.mailchimp.sync.planner import apply_to_ledger
from constituent.integrations.mailchimp.sync.recorder import (
    Changed,
    Claim,
    Commit,
    PageOutcome,
    RefusalNote,
    WriterJob,
)
from constituent.integrations.mailchimp.sync.types import (
    AddTag,
    Archive,
    ChangeEmail,
    DesiredMember,
    Intent,
    LedgerEntry,
    MemberError,
    Plan,
    Refusal,
    RemoteStatus,
    RemoveTag,
    Upsert,
    remote_status,
)
from constituent.integrations.mailchimp.sync.writer import GroupWriter
from constituent.kit.tasks import first_leaf

T = TypeVar("T")

ARCHIVE_FLUSH = 100  # archives checked against the ledger, sent, then committed together


@dataclass(frozen=True)
class Target:
    client: MailchimpClient
    audience_id: str

    @property
    def members_path(self) -> str:
        return f"/lists/{self.audience_id}/members"


class Applier:
    def __init__(
        self,
        target: Target,
        plan: Plan,
        ledger: dict[str, LedgerEntry],
        writer: GroupWriter[WriterJob, Changed],
    ) -> None:
        self.target = target
        self.plan = plan
        self.state = dict(ledger)  # the ledger as this run has written it so far
        self.lease: Lease | None = None
        self.contact_ids = _contact_ids(plan, ledger)
        # The run's one writer (``Recorder.write``), shared by the slices it applies at once.
        self._writer = writer
        # Addresses whose intent row this run stored, with the status that row holds (until answered).
        self._claimed: dict[str, RemoteStatus | None] = {}

    async def apply(self) -> None:
        await self._renames(self.plan.of_type(ChangeEmail))
        await self._batch_subscribe(self.plan.of_type(Upsert) + self.plan.of_type(AddTag))
        await self._remove_tags(self.plan.of_type(RemoveTag))
        await self._archives(self.plan.of_type(Archive))
        await self._refusals(self.plan.of_type(Refusal))

    # -- bookkeeping ---------------------------------------------------------------------------------

    def _check_lease(self) -> None:
        if self.lease is not None and self.lease.lost.is_set():
            raise LeaseLost()

    async def _commit(self, phase: str, outcome: PageOutcome) -> None:
        """Record a page: the run's own view at once, the database in the writer's next transaction (a
        thread), so the requests still in flight are answered while the page is stored."""
        for update in outcome.updates:
            member = update.entry.subscriber_hash
            outcome.expected[member] = self._stored_status(member)
        for subscriber_hash in [*outcome.forget, *(u.entry.subscriber_hash for u in outcome.updates)]:
            self._claimed.pop(subscriber_hash, None)
        for subscriber_hash in outcome.forget:
            self.state.pop(subscriber_hash, None)
        for update in outcome.updates:
            self.state[update.entry.subscriber_hash] = update.entry
        changed = await self._writer.submit(Commit(phase, outcome))
        for subscriber_hash, status in changed.items():
            # Someone else's newer news stayed in the ledger: the run's view follows it.
            self._follow(subscriber_hash, status)

    def _stored_status(self, subscriber_hash: str) -> RemoteStatus | None:
        """The status the ledger row holds as far as this run wrote it (its intent row, else its view)."""
        if subscriber_hash in self._claimed:
            return self._claimed[subscriber_hash]
        return _status(self.state.get(subscriber_hash))

    def _follow(self, subscriber_hash: str, status: RemoteStatus | None) -> None:
        self._claimed.pop(subscriber_hash, None)
        entry = self.state.get(subscriber_hash)
        if status is None:
            self.state.pop(subscriber_hash, None)
        elif entry is not None:
            self.state[subscriber_hash] = replace(entry, status=status, archived_by_us=False)

    async def _unchanged(
        self, hashes: Iterable[str], intents: dict[str, LedgerEntry] | None = None
    ) -> set[str]:
        """Just before sending: the addresses whose ledger status is still what this run planned from
        (compare-and-set), with their ``intents`` stored in the same transaction (the intent log). A
        member unsubscribed, cleaned or signed up since planning is not written at all."""
        wanted = sorted(set(hashes))
        expected = {h: self._stored_status(h) for h in wanted}
        changed = await self._writer.submit(Claim(expected, intents or {}))
        for subscriber_hash, status in changed.items():
            self._follow(subscriber_hash, status)
        for subscriber_hash, entry in (intents or {}).items():
            if subscriber_hash not in changed:
                self._claimed[subscriber_hash] = entry.status
        return set(wanted) - changed.keys()

    async def _each(self, items: Sequence[T], work: Callable[[T], Coroutine[Any, Any, None]]) -> None:
        """Run ``work`` on every item concurrently; the first failure cancels the rest (like a crash)."""
        self._check_lease()
        try:
            async with asyncio.TaskGroup() as group:
                for item in items:
                    group.create_task(work(item))
        except BaseExceptionGroup as failed:
            raise first_leaf(failed) from failed

    # -- 1. renames ----------------------------------------------------------------------------------

    async def _renames(self, renames: list[ChangeEmail]) -> None:
        async def rename(item: ChangeEmail) -> None:
            await self._commit("renames", await self._rename(item))

        await self._each(renames, rename)

    async def _rename(self, op: ChangeEmail) -> PageOutcome:
        member = op.member
        if len(await self._unchanged((op.old_hash, member.subscriber_hash))) < 2:
            return PageOutcome(done=1)  # the next run re-plans it from what the ledger holds now
        body = {"email_address": member.email, **_profile(member)}
        try:
            answer = await self.target.client.send_model(
                "PATCH", f"{self.target.members_path}/{op.old_hash}", Member, body
            )
        except errors.MemberExists as refused:
            return await self._rename_refused(op, refused)
        except errors.InvalidResource as refused:
            if refused.field_errors and not _names_the_address(refused):
                # A merge value or interest Mailchimp refused: the member's data, not its address.
                return _member_failed(op.old_hash, member.email, member.owner_contact_id, refused)
            if not refused.field_errors:
                return await self._rename_address_only(op)
            return await self._rename_refused(op, refused)
        except errors.NotFound:
            return await self._renamed_before(op)
        except errors.MailchimpError as exc:
            return _member_failed(op.old_hash, member.email, member.owner_contact_id, exc)
        return self._renamed(op, answer)

    async def _rename_address_only(self, op: ChangeEmail) -> PageOutcome:
        """A refusal naming no field (an address it will not take, or an unknown interest): ask again with
        the address alone, so what was refused is known without reading Mailchimp's words."""
        path = f"{self.target.members_path}/{op.old_hash}"
        try:
            answer = await self.target.client.send_model(
                "PATCH", path, Member, {"email_address": op.member.email}
            )
        except (errors.MemberExists, errors.InvalidResource) as refused:
            return await self._rename_refused(op, refused)
        except errors.MailchimpError as exc:
            return _member_failed(op.old_hash, op.member.email, op.member.owner_contact_id, exc)
        outcome = self._renamed(op, answer)
        # Renamed, but its fields were not written: the next run sends them (and meets their refusal).
        outcome.updates = [replace(u, entry=replace(u.entry, fingerprint="")) for u in outcome.updates]
        return outcome

    async def _renamed_before(self, op: ChangeEmail) -> PageOutcome:
        """The old address is gone: if the new one is there, an earlier attempt got through."""
        path = f"{self.target.members_path}/{op.member.subscriber_hash}"
        try:
            answer = await self.target.client.get_model(path, Member, {"fields": "id,email_address,status"})
        except errors.NotFound as exc:
            return _member_failed(op.old_hash, op.member.email, op.member.owner_contact_id, exc)
        return self._renamed(op, answer)

    def _renamed(self, op: ChangeEmail, answer: Member) -> PageOutcome:
        member = op.member
        entry = apply_to_ledger({op.old_hash: self.state[op.old_hash]}, [op])[member.subscriber_hash]
        entry = replace(entry, status=RemoteStatus(answer.status))
        outcome = PageOutcome(forget=[op.old_hash], done=1)
        outcome.updates.append(LedgerUpdate(entry, last_changed=parse_timestamp(answer.last_changed)))
        outcome.counts[RunCounter.email_changes] += 1
        return outcome

    async def _rename_refused(self, op: ChangeEmail, refused: errors.MailchimpError) -> PageOutcome:
        """Mailchimp would not rename: the member is not subscribed (any more), the new address is held
        (any status, or permanently deleted), or Mailchimp will not take the new address at all.

        Told apart by asking Mailchimp, not by reading its words (they come in the account's language).
        Every branch ends in a state the next run plans from without repeating an error.
        """
        old = self.state[op.old_hash]
        current = await self._member_or_none(old.subscriber_hash)
        if current is not None and current.status != RemoteStatus.subscribed:
            # The ledger was behind: only subscribed members move. Record what Mailchimp holds; the next
            # run adds the new address as new.
            seen = replace(old, status=RemoteStatus(current.status), archived_by_us=False)
            return PageOutcome(updates=[LedgerUpdate(seen, parse_timestamp(current.last_changed))], done=1)
        outcome = await self._archive_one(Archive(old.subscriber_hash, old.email, old.contact_id, "renamed"))
        held = await self._member_or_none(op.member.subscriber_hash)
        if held is not None and held.status in (RemoteStatus.subscribed, RemoteStatus.pending):
            outcome.merge(await self._adopt_held(op, old))
        else:
            outcome.merge(_rename_refusal(op, held, refused))
        return outcome

    async def _member_or_none(self, subscriber_hash: str) -> Member | None:
        path = f"{self.target.members_path}/{subscriber_hash}"
        try:
            return await self.target.client.get_model(
                path, Member, {"fields": "id,email_address,status,last_changed,tags"}
            )
        except errors.NotFound:
            return None

    async def _adopt_held(self, op: ChangeEmail, old: LedgerEntry) -> PageOutcome:
        """The new address is a subscribed or pending member: it becomes the contact's member.

        PATCH, not PUT: it never creates or un-archives anything, whatever state that member is in.
        """
        outcome = PageOutcome()
        member = op.member
        path = f"{self.target.members_path}/{member.subscriber_hash}"
        try:
            answer = await self.target.client.send_model("PATCH", path, Member, _profile(member))
        except errors.MailchimpError as exc:
            outcome.merge(_member_failed(member.subscriber_hash, member.email, member.owner_contact_id, exc))
            return outcome
        entry = LedgerEntry(
            subscriber_hash=member.subscriber_hash,
            email=member.email,
            status=RemoteStatus(answer.status),
            contact_id=member.owner_contact_id,
            fingerprint=member.fingerprint,
            tags=frozenset(t.name for t in answer.tags) & old.tags,
        )
        outcome.updates.append(LedgerUpdate(entry, last_changed=parse_timestamp(answer.last_changed)))
        outcome.counts[RunCounter.updated] += 1
        return outcome

    # -- 2. upserts and added tags -------------------------------------------------------------------

    async def _batch_subscribe(self, operations: list[Upsert | AddTag]) -> None:
        # Tags for an address whose rename failed have no member to go to: the next run re-plans them.
        writes = [w for w in member_writes(operations) if w.upsert or w.subscriber_hash in self.state]
        pages = [writes[i : i + PAGE_MEMBERS] for i in range(0, len(writes), PAGE_MEMBERS)]

        async def send(item: list[MemberWrite]) -> None:
            await self._commit("members", await self._send_page(item))

        await self._each(pages, send)

    async def _send_page(self, writes: list[MemberWrite]) -> PageOutcome:
        self._check_lease()
        intents = {w.subscriber_hash: e for w in writes if (e := self._create_intent(w)) is not None}
        fresh = await self._unchanged((w.subscriber_hash for w in writes), intents)
        kept = [w for w in writes if w.subscriber_hash in fresh]
        skipped = PageOutcome(done=len(writes) - len(kept))
        if not kept:
            return skipped
        path = f"/lists/{self.target.audience_id}"
        result = await self.target.client.send_model(
            "POST", path, BatchSubscribeResult, page_body(kept), params={"fields": ANSWER_FIELDS}
        )
        outcome = read_page(kept, result, PageContext(self.state, self.contact_ids))
        self._withdraw_refused_intents(outcome, [w for w in kept if w.subscriber_hash in intents])
        outcome.merge(skipped)
        return outcome

    def _create_intent(self, write: MemberWrite) -> LedgerEntry | None:
        """The row a member we may create gets before the page goes out: its contact, so whatever
        happens to the answer, the member is ours (archived when the contact leaves)."""
        if write.upsert is None or not write.upsert.is_new:
            return None
        base = self.state.get(write.subscriber_hash)
        member = write.upsert.member
        return LedgerEntry(
            subscriber_hash=write.subscriber_hash,
            email=member.email,
            status=remote_status(write.upsert.status_if_new),
            contact_id=member.owner_contact_id,
            fingerprint=base.fingerprint if base else "",
            tags=base.tags if base else frozenset(),
            archived_by_us=bool(base and base.archived_by_us),
            intent=Intent.create,
        )

    def _withdraw_refused_intents(self, outcome: PageOutcome, intended: list[MemberWrite]) -> None:
        """Mailchimp answered that it did not take these members: their rows go back to what they were."""
        recorded = {u.entry.subscriber_hash for u in outcome.updates}
        for write in intended:
            if write.subscriber_hash in recorded:
                continue
            base = self.state.get(write.subscriber_hash)
            if base is None:
                outcome.forget.append(write.subscriber_hash)
            else:
                outcome.updates.append(LedgerUpdate(base))

    # -- 3. removed tags -----------------------------------------------------------------------------

    async def _remove_tags(self, removals: list[RemoveTag]) -> None:
        removals = [r for r in removals if r.subscriber_hash in self.state]
        if not removals:
            return
        segment_ids = await segments.static_segment_ids(self.target.client, self.target.audience_id)
        calls = segments.removal_calls(removals, segment_ids)

        async def send(item: segments.RemovalCall) -> None:
            self._check_lease()
            fresh = await self._unchanged(r.subscriber_hash for r in item.removals)
            kept = replace(item, removals=tuple(r for r in item.removals if r.subscriber_hash in fresh))
            if kept.removals:
                await segments.remove_members(self.target.client, self.target.audience_id, kept)
            outcome = self._tags_removed(kept.removals)
            outcome.done += len(item.removals) - len(kept.removals)
            await self._commit("tags", outcome)

        await self._each(calls, send)

    def _tags_removed(self, removals: Iterable[RemoveTag]) -> PageOutcome:
        outcome = PageOutcome()
        for op in removals:
            entry = self.state[op.subscriber_hash]
            self.state[op.subscriber_hash] = replace(entry, tags=entry.tags - {op.tag})
            outcome.done += 1
            outcome.counts[RunCounter.tags_removed] += 1
        touched = {op.subscriber_hash for op in removals}
        outcome.updates += [LedgerUpdate(self.state[h]) for h in sorted(touched)]
        return outcome

    # -- 4. archives ---------------------------------------------------------------------------------

    async def _archives(self, archives: list[Archive]) -> None:
        """In chunks: each chunk's ledger rows are compared with the plan just before its DELETEs."""
        for start in range(0, len(archives), ARCHIVE_FLUSH):
            await self._archive_chunk(archives[start : start + ARCHIVE_FLUSH])

    async def _archive_chunk(self, chunk: list[Archive]) -> None:
        intents = {
            op.subscriber_hash: replace(self.state[op.subscriber_hash], intent=Intent.archive) for op in chunk
        }
        fresh = await self._unchanged((op.subscriber_hash for op in chunk), intents)
        pending = [PageOutcome(done=1) for op in chunk if op.subscriber_hash not in fresh]

        async def archive(item: Archive) -> None:
            self._check_lease()
            pending.append(await self._archive_one(item))

        await self._each([op for op in chunk if op.subscriber_hash in fresh], archive)
        await self._flush_archives(pending)

    async def _flush_archives(self, pending: list[PageOutcome]) -> None:
        if not pending:
            return
        outcome = PageOutcome()
        for one in pending:
            outcome.merge(one)
        pending.clear()  # the tasks share the list; nothing awaits between merging and clearing
        await self._commit("archives", outcome)

    async def _archive_one(self, op: Archive) -> PageOutcome:
        entry = self.state[op.subscriber_hash]
        try:
            await self.target.client.request("DELETE", f"{self.target.members_path}/{op.subscriber_hash}")
        except errors.MethodNotAllowed:
            return await self._not_archivable(entry)
        except errors.NotFound:
            if entry.intent is Intent.create:
                # Our create never reached Mailchimp (a crash before it): nothing there, still ours.
                gone = replace(entry, status=RemoteStatus.archived, archived_by_us=True)
            else:
                gone = replace(entry, status=RemoteStatus.forgotten, archived_by_us=False)
            return PageOutcome(updates=[LedgerUpdate(gone)], done=1)
        except errors.MailchimpError as exc:
            return _member_failed(op.subscriber_hash, op.email, op.contact_id, exc)
        archived = replace(entry, status=RemoteStatus.archived, archived_by_us=True)
        outcome = PageOutcome(updates=[LedgerUpdate(archived)], done=1)
        outcome.counts[RunCounter.archived] += 1
        return outcome

    async def _not_archivable(self, entry: LedgerEntry) -> PageOutcome:
        """Mailchimp will not archive a cleaned, pending or archived member: record what it holds."""
        path = f"{self.target.members_path}/{entry.subscriber_hash}"
        member = await self.target.client.get_model(
            path, Member, {"fields": "id,email_address,status,last_changed"}
        )
        status = RemoteStatus(member.status)
        # Already archived: our own earlier attempt got through before a crash, so it is ours to re-add.
        seen = replace(entry, status=status, archived_by_us=status is RemoteStatus.archived)
        return PageOutcome(updates=[LedgerUpdate(seen, parse_timestamp(member.last_changed))], done=1)

    # -- 5. refusals ---------------------------------------------------------------------------------

    async def _refusals(self, refusals: list[Refusal]) -> None:
        if not refusals:
            return
        outcome = PageOutcome(done=len(refusals))
        for op in refusals:
            note = RefusalNote(op.subscriber_hash, op.email, op.contact_ids, op.status.value, op.message)
            outcome.refusals.append(note)
        outcome.counts[RunCounter.refused] += len(refusals)
        await self._commit("refusals", outcome)


def _contact_ids(plan: Plan, ledger: dict[str, LedgerEntry]) -> dict[str, tuple[int, ...]]:
    """Who each address belongs to, for errors and refusals on addresses the plan only tags."""
    owners: dict[str, tuple[int, ...]] = {
        h: (e.contact_id,) for h, e in ledger.items() if e.contact_id is not None
    }
    for op in plan.of_type(Upsert) + plan.of_type(ChangeEmail):
        owners[op.member.subscriber_hash] = op.member.contact_ids
    return owners


def _status(entry: LedgerEntry | None) -> RemoteStatus | None:
    return entry.status if entry is not None else None


def _names_the_address(error: errors.MailchimpError) -> bool:
    return any(e.field.replace("_", " ").lower() == "email address" for e in error.field_errors)


def _rename_refusal(op: ChangeEmail, held: Member | None, refused: errors.MailchimpError) -> PageOutcome:
    """The contact's new address as Mailchimp holds it (or will not take it), with Mailchimp's words:
    a refusal, counted as one and never re-sent until the address changes again."""
    member = op.member
    words = "; ".join(e.message for e in refused.field_errors) or refused.detail or refused.title
    status = RemoteStatus(held.status) if held is not None else RemoteStatus.forgotten
    sentence = f"Mailchimp refused to move the member to {member.email}: {words}"
    entry = LedgerEntry(
        subscriber_hash=member.subscriber_hash,
        email=member.email,
        status=status,
        contact_id=member.owner_contact_id,
        refused=sentence,
    )
    note = RefusalNote(member.subscriber_hash, member.email, member.contact_ids, status.value, sentence)
    outcome = PageOutcome(updates=[LedgerUpdate(entry)], refusals=[note])
    outcome.counts[RunCounter.refused] += 1
    return outcome


def _profile(member: DesiredMember) -> dict[str, Any]:
    body: dict[str, Any] = {"merge_fields": dict(member.merge_fields)}
    if member.interests:
        body["interests"] = dict(member.interests)
    return body


def _member_failed(
    subscriber_hash: str, email: str, contact_id: int | None, exc: errors.MailchimpError
) -> PageOutcome:
    code = exc.title or f"HTTP {exc.status}"
    outcome = PageOutcome(
        errors=[MemberError(subscriber_hash, email, contact_id, code, exc.describe())], done=1
    )
    outcome.counts[RunCounter.errors] += 1
    return outcome
