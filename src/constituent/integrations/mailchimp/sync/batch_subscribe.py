"""Upserts and added tags as batch-subscribe pages (``POST /lists/{id}``, ≤500 members each), and the
answer read back into ledger outcomes. Pure: no I/O.

What a page never sends: ``sync_tags`` (it would drop tags made in Mailchimp), and ``status`` except with
a member we archived ourselves and mean to bring back (Mailchimp ignores ``status_if_new`` for an archived
member). ``status_if_new`` goes only with members we mean to create, so a member archived in Mailchimp
since we last looked is never brought back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from constituent.crm.contacts.emails import subscriber_hash
from constituent.integrations.mailchimp.responses import (
    BatchError,
    BatchSubscribeResult,
    WrittenMember,
    fields_read,
    parse_timestamp,
)
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.models import RunCounter
from constituent.integrations.mailchimp.sync.planner import MemberAnswer, after_write, refusal_message
from constituent.integrations.mailchimp.sync.recorder import PageOutcome, RefusalNote
from constituent.integrations.mailchimp.sync.types import (
    PROTECTED_STATUSES,
    AddTag,
    Intent,
    LedgerEntry,
    MemberError,
    Operation,
    RemoteStatus,
    Upsert,
    remote_status,
)

PAGE_MEMBERS = 500
# A page's answer holds the whole member object of each of its 500 entries (merge fields, tags, stats,
# location, links): asked for only what ``read_page`` reads, it is a sixth of the size to send and parse
# (500 new members in the emulator: 568 KB whole, 97 KB trimmed, bench/emulator_batch_subscribe.py).
ANSWER_FIELDS = ",".join(fields_read(BatchSubscribeResult))


@dataclass(frozen=True, slots=True)
class MemberWrite:
    """Everything one batch entry carries for one address: its upsert (if any) and the tags to add."""

    subscriber_hash: str
    email: str
    upsert: Upsert | None
    tags: tuple[str, ...]


def member_writes(operations: Iterable[Operation]) -> list[MemberWrite]:
    """Group the plan's upserts and tag additions by address, in plan order."""
    upserts: dict[str, Upsert] = {}
    tags: dict[str, list[str]] = {}
    emails: dict[str, str] = {}
    for op in operations:
        if isinstance(op, Upsert):
            upserts[op.member.subscriber_hash] = op
            emails[op.member.subscriber_hash] = op.member.email
        elif isinstance(op, AddTag):
            tags.setdefault(op.subscriber_hash, []).append(op.tag)
            emails.setdefault(op.subscriber_hash, op.email)
    return [MemberWrite(h, emails[h], upserts.get(h), tuple(tags.get(h, ()))) for h in emails]


def entry_body(write: MemberWrite) -> dict[str, Any]:
    body: dict[str, Any] = {"email_address": write.email}
    if write.upsert is not None:
        member = write.upsert.member
        if write.upsert.is_new:
            body["status_if_new"] = write.upsert.status_if_new
        if write.upsert.status is not None:
            body["status"] = write.upsert.status
        body["merge_fields"] = dict(member.merge_fields)
        if member.interests:
            body["interests"] = dict(member.interests)
    if write.tags:
        body["tags"] = list(write.tags)
    return body


def page_body(writes: Iterable[MemberWrite]) -> dict[str, Any]:
    return {"members": [entry_body(w) for w in writes], "update_existing": True}


def refusal_kind(error: BatchError) -> str | None:
    """``compliance`` / ``forgotten`` / ``fake`` when Mailchimp refuses to (re)add the address for good,
    else None. Batch errors carry no title, so their recorded English sentences are all there is."""
    text = error.error.lower()
    if "compliance state" in text:
        return "compliance"
    if "permanently deleted" in text or "forgotten" in text:
        return "forgotten"
    if "looks fake or invalid" in text:
        return "fake"
    return None


@dataclass(frozen=True)
class PageContext:
    state: Mapping[str, LedgerEntry]  # the ledger as the run has written it so far
    contact_ids: Mapping[str, tuple[int, ...]]  # address -> the contacts sharing it


def read_page(writes: list[MemberWrite], result: BatchSubscribeResult, ctx: PageContext) -> PageOutcome:
    """What each entry became: written (with Mailchimp's status), refused, or failed."""
    answered = {m.id: (m, True) for m in result.new_members}
    answered |= {m.id: (m, False) for m in result.updated_members}
    failed = {subscriber_hash(e.email_address): e for e in result.errors}
    outcome = PageOutcome(done=len(writes))
    for write in writes:
        if write.subscriber_hash in answered:
            member, created = answered[write.subscriber_hash]
            _written(outcome, write, member, created, ctx)
        elif write.subscriber_hash in failed:
            _failed(outcome, write, failed[write.subscriber_hash], ctx)
        else:
            _unanswered(outcome, write, ctx)
    return outcome


def _written(
    outcome: PageOutcome, write: MemberWrite, member: WrittenMember, created: bool, ctx: PageContext
) -> None:
    base = ctx.state.get(write.subscriber_hash)
    answer = MemberAnswer(remote_status(member.status), member.contact_id)
    entry = after_write(base, write.upsert, write.tags, answer)
    outcome.updates.append(LedgerUpdate(entry, last_changed=parse_timestamp(member.last_changed)))
    if write.upsert is not None:
        # An archived member brought back counts as added, as the dry run said it would be.
        readded = base is not None and (base.status is RemoteStatus.archived or base.intent is Intent.create)
        outcome.counts[RunCounter.created if created or readded else RunCounter.updated] += 1
    outcome.counts[RunCounter.tags_added] += len(write.tags)
    already_held = base is not None and base.status in PROTECTED_STATUSES
    if entry.status in PROTECTED_STATUSES and not already_held:
        # Written, but Mailchimp keeps the person's choice: tell the contact why nothing more happens.
        # (A member already held is kept current on purpose; the plan's Refusal tells the contact.)
        outcome.refusals.append(_note(write, entry.status.value, refusal_message(entry), ctx))


def _failed(outcome: PageOutcome, write: MemberWrite, error: BatchError, ctx: PageContext) -> None:
    kind = refusal_kind(error)
    if kind is None:
        outcome.errors.append(_error(write, error.error_code or "ERROR_GENERIC", _describe(error), ctx))
        outcome.counts[RunCounter.errors] += 1
        return
    verb = "add" if kind == "fake" else "re-add"
    sentence = f"Mailchimp refused to {verb} {write.email}: {error.error}"
    entry = _refused_entry(write, kind, sentence, ctx)
    outcome.updates.append(LedgerUpdate(entry))
    # A fake-address refusal is told under the status later runs' Refusal carries, so it is told once.
    outcome.refusals.append(_note(write, entry.status.value if kind == "fake" else kind, sentence, ctx))
    outcome.counts[RunCounter.refused] += 1


def _unanswered(outcome: PageOutcome, write: MemberWrite, ctx: PageContext) -> None:
    message = "Mailchimp's answer did not mention this member; it will be retried on the next run"
    outcome.errors.append(_error(write, "no_answer", message, ctx))
    outcome.counts[RunCounter.errors] += 1


def _refused_entry(write: MemberWrite, kind: str, sentence: str, ctx: PageContext) -> LedgerEntry:
    base = ctx.state.get(write.subscriber_hash)
    contact_id = write.upsert.member.owner_contact_id if write.upsert else (base.contact_id if base else None)
    if kind == "forgotten":
        status = RemoteStatus.forgotten
    elif base is not None and base.intent is Intent.none:
        status = base.status
    else:
        # Not held (no row, or only our intent to create it): a refused new address is one Mailchimp
        # will not take, like a forgotten one.
        status = RemoteStatus.forgotten if kind == "fake" else RemoteStatus.unsubscribed
    return LedgerEntry(
        subscriber_hash=write.subscriber_hash,
        email=write.email,
        status=status,
        contact_id=contact_id,
        fingerprint=base.fingerprint if base else "",
        tags=base.tags if base else frozenset(),
        archived_by_us=bool(base and base.archived_by_us),
        refused=sentence,
    )


def _contacts(write: MemberWrite, ctx: PageContext) -> tuple[int, ...]:
    if write.upsert is not None:
        return write.upsert.member.contact_ids
    return ctx.contact_ids.get(write.subscriber_hash, ())


def _note(write: MemberWrite, kind: str, sentence: str, ctx: PageContext) -> RefusalNote:
    return RefusalNote(write.subscriber_hash, write.email, _contacts(write, ctx), kind, sentence)


def _error(write: MemberWrite, code: str, message: str, ctx: PageContext) -> MemberError:
    contacts = _contacts(write, ctx)
    return MemberError(write.subscriber_hash, write.email, contacts[0] if contacts else None, code, message)


def _describe(error: BatchError) -> str:
    text = error.error or "refused"
    if error.field:
        text += f" ({error.field}: {error.field_message})"
    return text
