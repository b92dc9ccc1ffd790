"""Full resync, step 1: read every member Mailchimp holds and rebuild the ledger from it.

A run stores the ledger page by page (``listed_pages``, then the rows no page showed, confirmed one by
one); a dry run, which stores nothing, keeps what differs from the stored ledger (``RefreshedView``); the
health check rebuilds it in memory (``read_audience`` and ``rebuild``).
Pages of 1,000 are fetched concurrently (the offsets are known once the first page gives the total;
the client's per-account cap keeps at most 10 in flight). Fingerprints are computed from Mailchimp's
values normalised exactly as the desired state is (``merge_values``), so an unchanged member matches
and costs nothing; anything typed into the audience shows up as a difference and is repaired.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Collection, Iterable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from datetime import datetime

from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.responses import Member, MembersPage, parse_timestamp
from constituent.integrations.mailchimp.sync.ledger import LedgerUpdate
from constituent.integrations.mailchimp.sync.merge_values import remote_interests, remote_merge_fields
from constituent.integrations.mailchimp.sync.types import (
    Intent,
    LedgerEntry,
    RemoteStatus,
    fingerprint,
    hand_archived,
    remote_status,
)
from constituent.kit.tasks import Prefetched

MEMBER_FIELDS = ",".join(
    f"members.{name}"
    for name in (
        "id",
        "email_address",
        "status",
        "merge_fields",
        "interests",
        "tags",
        "last_changed",
        "contact_id",
    )
)
# A refusal stays on record while Mailchimp still holds the address out of reach.
_REFUSAL_KEPT = frozenset(
    {RemoteStatus.unsubscribed, RemoteStatus.cleaned, RemoteStatus.archived, RemoteStatus.forgotten}
)


async def read_audience(client: MailchimpClient, audience_id: str) -> dict[str, Member]:
    """Every member of the audience (any status, archived included), by subscriber hash.

    Archived members are asked for by status: the default listing probably leaves them out (jethro-pmm's
    fix relies on it), and otherwise each would cost a GET in ``confirm_absent``. Where the default
    listing does include them, the two listings overlap and the second changes nothing.
    """
    listed, archived = await asyncio.gather(
        _listing(client, audience_id, {}), _listing(client, audience_id, {"status": "archived"})
    )
    return {**listed, **archived}


async def listed_pages(client: MailchimpClient, audience_id: str) -> AsyncGenerator[Sequence[Member], None]:
    """Every member of the audience a page at a time (the default listing, then the archived ones, as
    ``read_audience``): a refresh stores each page before it reads far ahead, so its memory is a window
    of pages whatever the audience's size.

    The archived listing's first page is asked for with the default listing's first: a run that
    refreshes (a first sync, a full resync) plans one round trip sooner (at a second a request, three
    came one after the other before a first sync planned; docs/BENCHMARKS.md, session 15)."""
    path = f"/lists/{audience_id}/members"
    archived = Prefetched(
        client.pages(path, MembersPage, params={"status": "archived"}, fields=MEMBER_FIELDS)
    )
    try:
        for pages in (client.pages(path, MembersPage, fields=MEMBER_FIELDS), archived.items()):
            async with aclosing(pages):
                async for _, page in pages:
                    yield page.items
    finally:
        await archived.close()


async def _listing(client: MailchimpClient, audience_id: str, query: dict[str, str]) -> dict[str, Member]:
    members = await client.collect(
        f"/lists/{audience_id}/members", MembersPage, params=query, fields=MEMBER_FIELDS
    )
    return {m.id: m for m in members}


async def confirm_absent(
    client: MailchimpClient, audience_id: str, hashes: Collection[str]
) -> dict[str, Member | None]:
    """Look up members the listing did not show (it may have shifted under concurrent paging)."""

    async def one(subscriber_hash: str) -> tuple[str, Member | None]:
        try:
            path = f"/lists/{audience_id}/members/{subscriber_hash}"
            params = {"fields": MEMBER_FIELDS.replace("members.", "")}
            return subscriber_hash, await client.get_model(path, Member, params)
        except errors.NotFound:
            return subscriber_hash, None

    return dict(await asyncio.gather(*(one(h) for h in hashes)))


def entry_from_member(
    member: Member,
    old: LedgerEntry | None,
    owned_tags: frozenset[str],
    managed_interests: Collection[str],
    merge_field_types: Mapping[str, str] | None = None,
) -> LedgerUpdate:
    """``merge_field_types``: the mapped merge fields (tag -> type), compared like FNAME and LNAME."""
    status = remote_status(member.status)
    by_us = status is RemoteStatus.archived and bool(
        old and (old.archived_by_us or old.intent is Intent.archive)
    )
    merge_fields = remote_merge_fields(member.merge_fields, merge_field_types)
    interests = remote_interests(member.interests, managed_interests)
    entry = LedgerEntry(
        subscriber_hash=member.id,
        email=member.email_address,
        status=status,
        contact_id=old.contact_id if old else None,
        fingerprint=fingerprint(member.email_address, merge_fields, interests),
        # Ours: what our searches give today, and what we wrote before under names since changed.
        tags=frozenset(t.name for t in member.tags) & (owned_tags | (old.tags if old else frozenset())),
        # Ours only if we archived it (or sent the DELETE, per the intent log) and nobody since said
        # otherwise: an unsubscribe landing after our archive clears archived_by_us (inbound).
        archived_by_us=by_us,
        archived_by_hand=hand_archived(old, status, by_us=by_us),
        refused=old.refused if old and status in _REFUSAL_KEPT else "",
        last_contact_id=old.last_contact_id if old else None,
        mc_contact_id=member.contact_id or (old.mc_contact_id if old else ""),
    )
    return LedgerUpdate(entry, last_changed=parse_timestamp(member.last_changed))


def listed_before(member: Member, stored: datetime | None) -> bool:
    """Whether the row changed in Mailchimp after the listing showed ``member`` (a webhook's news, or the
    run's own reconcile, stored since): the listing's older view is then not stored over it, and the
    refresh reads the member again with the rows no page showed. Strictly later only: Mailchimp's times
    are whole seconds, and our own answers store the very time the listing shows."""
    listed = parse_timestamp(member.last_changed)
    return stored is not None and listed is not None and stored > listed


def listed_over_their_rows(members: Sequence[Member], stored: Mapping[str, datetime]) -> list[Member]:
    """The listed members a page may be stored over: not those whose row changed after the listing
    (``listed_before``), which are read again with the rows no page showed. The run's store and the
    preview's view both apply it, so a preview says what the run then does."""
    return [m for m in members if not listed_before(m, stored.get(m.id))]


def forgotten(old: LedgerEntry) -> LedgerUpdate:
    """Gone from the audience: permanently deleted there, so Mailchimp refuses to re-import it."""
    return LedgerUpdate(
        LedgerEntry(
            subscriber_hash=old.subscriber_hash,
            email=old.email,
            status=RemoteStatus.forgotten,
            contact_id=old.contact_id,
            fingerprint=old.fingerprint,
            tags=frozenset(),
            refused=old.refused,
            last_contact_id=old.last_contact_id,
        )
    )


def never_created(old: LedgerEntry) -> LedgerUpdate:
    """Our intent to create it is on record, Mailchimp has no such member: the request never got
    through. Still ours: created when its contact qualifies, nothing to do otherwise."""
    return LedgerUpdate(replace(old, status=RemoteStatus.archived, archived_by_us=True, intent=Intent.none))


def rebuild(
    old: Mapping[str, LedgerEntry],
    members: Iterable[Member],
    missing: Mapping[str, Member | None],
    owned_tags: frozenset[str],
    managed_interests: Collection[str],
    merge_field_types: Mapping[str, str] | None = None,
) -> list[LedgerUpdate]:
    """The new ledger: Mailchimp's members, plus old entries Mailchimp no longer has (as forgotten)."""
    shape = (owned_tags, managed_interests, merge_field_types)
    updates = [entry_from_member(m, old.get(m.id), *shape) for m in members]
    for subscriber_hash, member in missing.items():
        previous = old[subscriber_hash]
        if member is None and previous.intent is Intent.create:
            updates.append(never_created(previous))
        elif member is None:
            updates.append(forgotten(previous))
        else:
            updates.append(entry_from_member(member, previous, *shape))
    return updates


@dataclass
class RefreshedView:
    """A full preview's ledger as a refresh would leave it, held as what differs from the stored ledger.

    A preview stores nothing, so it cannot refresh the ledger page by page as a run does; holding the
    whole refreshed audience instead took the memory a run in slices saves (686,221 members at 1,000,000
    contacts). An audience in step differs in a handful of members, and only those are kept, with the
    hashes the listing showed (to find the stored rows it did not show). An audience never synced before
    differs in every member it holds: its first preview keeps them all.
    """

    changed: dict[str, LedgerEntry] = field(default_factory=dict)
    stored_subscribed: dict[str, bool] = field(default_factory=dict)  # of each changed member, as stored
    seen: set[str] = field(default_factory=set)  # every member the listing showed

    def add(self, stored: Mapping[str, LedgerEntry], updates: Iterable[LedgerUpdate]) -> None:
        """Refreshed entries of members whose stored rows (if any) are ``stored``; those unchanged are
        dropped. A member listed twice (the listing shifted under paging) keeps its latest copy."""
        for update in updates:
            entry = update.entry
            before = stored.get(entry.subscriber_hash)
            if entry == before:
                self.changed.pop(entry.subscriber_hash, None)
                self.stored_subscribed.pop(entry.subscriber_hash, None)
                continue
            self.changed[entry.subscriber_hash] = entry
            self.stored_subscribed[entry.subscriber_hash] = before is not None and _subscribed(before)

    def over(self, stored: Mapping[str, LedgerEntry]) -> dict[str, LedgerEntry]:
        """These stored entries as refreshed."""
        return {h: self.changed.get(h, entry) for h, entry in stored.items()}

    def subscribed(self, stored: int) -> int:
        """Subscribed members once refreshed, given ``stored`` subscribed rows in the ledger."""
        now = sum(_subscribed(entry) for entry in self.changed.values())
        return stored - sum(self.stored_subscribed[h] for h in self.changed) + now


def _subscribed(entry: LedgerEntry) -> bool:
    return entry.status is RemoteStatus.subscribed
