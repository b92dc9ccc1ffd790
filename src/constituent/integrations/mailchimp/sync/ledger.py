"""The sync ledger: what Mailchimp holds for each member of an integration's audience (queries only).

The ledger is read as plain ``LedgerEntry`` values (the planner's input) and written in bulk: one
INSERT … ON CONFLICT DO UPDATE per page of outcomes, keyed by (integration, subscriber hash).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    String,
    Text,
    cast,
    delete,
    func,
    or_,
    select,
    true,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.integrations.mailchimp.sync import ledger_upsert
from constituent.integrations.mailchimp.sync.models import LedgerRow
from constituent.integrations.mailchimp.sync.types import Intent, LedgerEntry, RemoteStatus, remote_status
from constituent.kit.db import plain_rows
from constituent.kit.keyed import among, pg_array

# Keeps every statement under SQLite's bound-parameter limit with room to spare.
CHUNK = 500
# Keys per keyed lookup (``keyed.among``, ``by_hashes``: one parameter whatever their number). A slice's
# 7,000 addresses read 500 at a time were 14 statements, each built and compiled anew.
KEYS_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class LedgerUpdate:
    """A member's state after a write or a read of Mailchimp, ready to be stored."""

    entry: LedgerEntry
    last_changed: datetime | None = None
    error: str = ""


# The status as its text: ``remote_status`` makes the value from it with a dict lookup, where the column's
# Enum type checks every row on the way out (6.6 µs a row, the writer thread's third cost in a first sync).
_STATUS_TEXT = type_coerce(LedgerRow.status, String).label("status")
# The tags as their stored text, each distinct text parsed once a read (``_TagsOfText``): the JSON type
# decoded every row's list anew, and a run reads thousands of rows carrying the same few sets.
_TAGS_TEXT = cast(LedgerRow.tags, Text).label("tags")
_ENTRY_COLUMNS = (
    LedgerRow.subscriber_hash,
    LedgerRow.email,
    _STATUS_TEXT,
    LedgerRow.contact_id,
    LedgerRow.fingerprint,
    _TAGS_TEXT,
    LedgerRow.archived_by_us,
    LedgerRow.refused,
    LedgerRow.intent,
    LedgerRow.last_contact_id,
    LedgerRow.mc_contact_id,
    LedgerRow.archived_by_hand,
)


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _load(
    session: Session, integration_id: int, where: ColumnElement[bool] | None = None
) -> dict[str, LedgerEntry]:
    # Plain rows, not ORM objects: a full sync reads every member of the audience.
    query = select(*_ENTRY_COLUMNS).where(LedgerRow.integration_id == integration_id)
    if where is not None:
        query = query.where(where)
    return _entries(session, query)


def _entries(session: Session, query: Select[*tuple[Any, ...]]) -> dict[str, LedgerEntry]:
    """The rows of a query of ``_ENTRY_COLUMNS`` (tags as text) as entries."""
    tags = _TagsOfText()
    return {row.subscriber_hash: entry_of(row, tags(row.tags)) for row in plain_rows(session, query)}


class _TagsOfText(dict[str | None, frozenset[str]]):
    """Each stored tags text's set, parsed once (the reading side of ``_TagsText``)."""

    def __call__(self, text: str | None) -> frozenset[str]:
        tags = self.get(text)
        if tags is None:
            tags = self[text] = frozenset(json.loads(text) or ()) if text else frozenset()
        return tags


def by_hashes(
    session: Session,
    integration_id: int,
    hashes: Sequence[str],
    columns: Sequence[Any],
    *,
    lock: bool = False,
) -> Select[Any]:
    """``columns`` of these addresses' rows, each found through the (integration, address) key, so a page
    costs its own members whatever the audience's size. ``lock`` holds the rows (PostgreSQL) until the
    transaction ends.

    PostgreSQL looks each hash up on its own (a LATERAL lookup per element of one array parameter). Given
    ``subscriber_hash IN (…)`` it read every row of the integration and filtered them while the table's
    statistics lagged behind a growing audience (a first sync), and once psycopg prepared the statement
    (its fifth run) the generic plan compared each row with the 500 parameters one by one: 0.4 s a page
    at 20,000 members. SQLite probes the key with the hashes of one JSON parameter (``keyed.among``).
    Both are EXPLAINed in ``tests/integrations/mailchimp/sync/test_ledger_plans.py``."""
    if session.get_bind().dialect.name != "postgresql":
        query = select(*columns).where(
            LedgerRow.integration_id == integration_id, among(session, LedgerRow.subscriber_hash, hashes)
        )
        return query.with_for_update() if lock else query
    keys = pg_array(hashes, LedgerRow.subscriber_hash.type)
    wanted = func.unnest(keys).table_valued("h").render_derived(name="wanted")
    # LIMIT 1 (the key is unique) also keeps the planner from flattening the lookups into one join, which
    # it would then plan from the same lagging statistics.
    one = (
        select(*columns)
        .where(LedgerRow.integration_id == integration_id, LedgerRow.subscriber_hash == wanted.c.h)
        .limit(1)
    )
    found = (one.with_for_update() if lock else one).lateral("found")
    return select(*found.c).select_from(wanted).join(found, true())


_INTENTS = {intent.value: intent for intent in Intent}  # a dict lookup, as ``remote_status``


def entry_of(row: LedgerRow | Row[*tuple[Any, ...]], tags: frozenset[str] | None = None) -> LedgerEntry:
    """A ledger row (a plain row of ``_ENTRY_COLUMNS`` with its ``tags`` parsed by ``_entries``, or the
    ORM row the inbound path works on, whose tags are a list) as the value the rules read. By name, every
    field: a column read by position was once silently lost."""
    return LedgerEntry(
        subscriber_hash=row.subscriber_hash,
        email=row.email,
        status=remote_status(row.status),
        contact_id=row.contact_id,
        fingerprint=row.fingerprint,
        tags=frozenset(row.tags or ()) if tags is None else tags,
        archived_by_us=row.archived_by_us,
        refused=row.refused,
        intent=_INTENTS[row.intent],
        last_contact_id=row.last_contact_id,
        mc_contact_id=row.mc_contact_id,
        archived_by_hand=row.archived_by_hand,
    )


def load_all(session: Session, integration_id: int) -> dict[str, LedgerEntry]:
    return _load(session, integration_id)


def load_by_hashes(session: Session, integration_id: int, hashes: Collection[str]) -> dict[str, LedgerEntry]:
    entries, _ = _entries_by_hash(session, integration_id, hashes, with_times=False)
    return entries


def load_with_times(
    session: Session, integration_id: int, hashes: Collection[str]
) -> tuple[dict[str, LedgerEntry], dict[str, datetime]]:
    """``load_by_hashes``, with Mailchimp's time on each row that has one, in the same read: what a
    refresh page is stored over (``refresh.listed_before``)."""
    return _entries_by_hash(session, integration_id, hashes, with_times=True)


def _entries_by_hash(
    session: Session, integration_id: int, hashes: Collection[str], *, with_times: bool
) -> tuple[dict[str, LedgerEntry], dict[str, datetime]]:
    columns = (*_ENTRY_COLUMNS, LedgerRow.last_changed) if with_times else _ENTRY_COLUMNS
    tags = _TagsOfText()
    entries: dict[str, LedgerEntry] = {}
    times: dict[str, datetime] = {}
    for row in _rows_by_hash(session, integration_id, hashes, columns, lock=False):
        entries[row.subscriber_hash] = entry_of(row, tags(row.tags))
        if with_times and row.last_changed is not None:
            times[row.subscriber_hash] = row.last_changed
    return entries, times


@dataclass(frozen=True, slots=True)
class LeftMember:
    """A member who left the audience (unsubscribed or cleaned), with the contact it belongs to, if any."""

    email: str
    status: RemoteStatus
    refused: str  # what we recorded: "Unsubscribed from …", a spam complaint, Mailchimp's refusal
    left_at: datetime | None  # Mailchimp's last_changed when we learnt it
    contact_id: int | None
    contact_name: str


LEFT_STATUSES = (RemoteStatus.unsubscribed, RemoteStatus.cleaned)


def _restorable(integration_id: int) -> ColumnElement[bool]:
    """Archived by hand in Mailchimp while subscribed to us, and nothing since says the person left."""
    return (
        (LedgerRow.integration_id == integration_id)
        & (LedgerRow.status == RemoteStatus.archived)
        & LedgerRow.archived_by_hand
        & (LedgerRow.refused == "")
    )


def left_members(
    session: Session,
    integration_id: int,
    statuses: Collection[RemoteStatus],
    offset: int,
    limit: int,
    *,
    archived_by_hand: bool = False,
) -> tuple[list[LeftMember], int]:
    """One page of the members who left (or, ``archived_by_hand``, those archived by hand in Mailchimp),
    newest first, and how many there are in all."""
    if archived_by_hand:
        where = _restorable(integration_id)
    else:
        where = (LedgerRow.integration_id == integration_id) & LedgerRow.status.in_(list(statuses))
    total = session.scalar(select(func.count()).select_from(LedgerRow).where(where)) or 0
    owner = func.coalesce(LedgerRow.contact_id, LedgerRow.last_contact_id)
    query = (
        select(LedgerRow, Contact)
        .outerjoin(Contact, Contact.id == owner)
        .where(where)
        .order_by(LedgerRow.last_changed.desc().nulls_last(), LedgerRow.id.desc())
        .offset(offset)
        .limit(limit)
    )
    page = [
        LeftMember(
            row.email,
            row.status,
            row.refused,
            row.last_changed,
            contact.id if contact else None,
            contact.display_name if contact else "",
        )
        for row, contact in session.execute(query)
    ]
    return page, total


def count_hand_archived(session: Session, integration_id: int) -> int:
    """How many members archived by hand in Mailchimp could be restored (see ``_restorable``)."""
    query = select(func.count()).select_from(LedgerRow).where(_restorable(integration_id))
    return session.scalar(query) or 0


def make_hand_archived_ours(session: Session, integration_id: int) -> list[str]:
    """The members archived by hand become ours to bring back (as if we had archived them): the next
    sync re-adds those whose contact still qualifies. Returns their addresses."""
    where = _restorable(integration_id)
    emails = list(session.scalars(select(LedgerRow.email).where(where)))
    session.execute(update(LedgerRow).where(where).values(archived_by_us=True, archived_by_hand=False))
    return emails


def load_by_people(
    session: Session, integration_id: int, mc_contact_ids: Collection[str]
) -> dict[str, LedgerEntry]:
    """Entries by Mailchimp's id of the person (renames keep it), for the ids given."""
    found: dict[str, LedgerEntry] = {}
    for chunk in _chunks(sorted(i for i in mc_contact_ids if i), KEYS_CHUNK):
        query = _by_column(session, integration_id, LedgerRow.mc_contact_id, chunk)
        found |= {entry.mc_contact_id: entry for entry in _entries(session, query).values()}
    return found


def load_by_contacts(
    session: Session, integration_id: int, contact_ids: Collection[int]
) -> dict[str, LedgerEntry]:
    found: dict[str, LedgerEntry] = {}
    for chunk in _chunks(sorted(contact_ids), KEYS_CHUNK):
        found |= _entries(session, _by_column(session, integration_id, LedgerRow.contact_id, chunk))
    return found


def _by_column(
    session: Session, integration_id: int, column: Any, values: Sequence[int] | Sequence[str]
) -> Select[*tuple[Any, ...]]:
    """The integration's entries whose ``column`` (the contact or the person) is one of ``values``, found
    through that column's index whatever the statistics say: on PostgreSQL each value is looked up on
    its own (a LATERAL lookup per element of one array parameter, as ``by_hashes``), the integration's
    rows kept after (``_integration_after``). SQLite's indexes carry the integration second; it probes
    them with both. EXPLAINed in ``tests/integrations/mailchimp/sync/test_ledger_plans.py``."""
    if session.get_bind().dialect.name != "postgresql":
        return select(*_ENTRY_COLUMNS).where(
            LedgerRow.integration_id == integration_id, among(session, column, values)
        )
    wanted = func.unnest(pg_array(values, column.type)).table_valued("k").render_derived(name="wanted")
    found = _found_apart(column == wanted.c.k).lateral("found")
    return _integration_after(found, integration_id).select_from(wanted).join(found, true())


def _found_apart(condition: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """PostgreSQL: the entries (and their integration) ``condition`` finds, planned without the integration.

    The ledger's indexes on the contact and the person hold their column alone (migration 0031). Given the
    integration as well, PostgreSQL read the integration's whole range of the unique key and filtered it
    whenever the statistics said the integration had few rows: a new audience, or any after the ledger
    was emptied and analysed (they then say 0 rows on every page). A first sync reads each slice's
    contacts' rows, so it read the audience so far once a slice; a nightly run read every member for
    the deleted contacts' (docs/BENCHMARKS.md, session 20). OFFSET keeps the integration's condition out
    of this query (PostgreSQL does not push a condition into a subquery with one); a contact has rows in
    a few audiences at most."""
    return select(*_ENTRY_COLUMNS, LedgerRow.integration_id).where(condition).offset(0)


def _integration_after(found: Any, integration_id: int) -> Select[*tuple[Any, ...]]:
    """The entry columns of the rows ``found`` (a ``_found_apart`` subquery) of this integration."""
    return select(*(found.c[c.key] for c in _ENTRY_COLUMNS)).where(found.c.integration_id == integration_id)


def statuses_of(
    session: Session, integration_id: int, hashes: Collection[str], *, lock: bool = False
) -> dict[str, RemoteStatus]:
    """The stored status of each address that has a row. ``lock`` holds the rows (PostgreSQL) until
    the transaction ends, so a webhook cannot change them between this read and our write."""
    rows = _rows_by_hash(session, integration_id, hashes, (LedgerRow.subscriber_hash, _STATUS_TEXT), lock)
    return {h: remote_status(status) for h, status in rows}


def _rows_by_hash(
    session: Session, integration_id: int, hashes: Collection[str], columns: Sequence[Any], lock: bool
) -> Iterator[Any]:
    """``columns`` of the rows of these addresses, a chunk of ``by_hashes`` lookups at a time."""
    for chunk in _chunks(sorted(hashes), KEYS_CHUNK):
        yield from plain_rows(session, by_hashes(session, integration_id, chunk, columns, lock=lock))


class HeldRow(NamedTuple):
    """What a write compares (the status) and may keep (owner, person) of a row it is about to overwrite."""

    status: RemoteStatus
    owner: ledger_upsert.StoredOwner


def held_rows(session: Session, integration_id: int, hashes: Collection[str]) -> dict[str, HeldRow]:
    """``statuses_of(..., lock=True)`` with the owner and person columns, for a write that then stores
    these rows (``save(..., held=)``) in the same transaction."""
    columns = (
        LedgerRow.subscriber_hash,
        _STATUS_TEXT,
        LedgerRow.contact_id,
        LedgerRow.last_contact_id,
        LedgerRow.mc_contact_id,
    )
    return {
        h: HeldRow(remote_status(status), ledger_upsert.StoredOwner(contact_id, last_contact_id, person))
        for h, status, contact_id, last_contact_id, person in _rows_by_hash(
            session, integration_id, hashes, columns, lock=True
        )
    }


def rows_for_contact(session: Session, contact_id: int, hashes: Collection[str]) -> list[LedgerRow]:
    """Every integration's row for the contact, or for one of its addresses (a shared address's owner
    may be another contact)."""
    query = select(LedgerRow).where(
        or_(LedgerRow.contact_id == contact_id, LedgerRow.subscriber_hash.in_(list(hashes)))
    )
    return list(session.scalars(query.order_by(LedgerRow.integration_id, LedgerRow.id)))


def count_by_status(session: Session, integration_id: int) -> dict[RemoteStatus, int]:
    query = (
        select(LedgerRow.status, func.count())
        .where(LedgerRow.integration_id == integration_id)
        .group_by(LedgerRow.status)
    )
    return {RemoteStatus(status): int(count) for status, count in session.execute(query)}


def contact_ids_by_tag(session: Session, integration_id: int, tags: Collection[str]) -> dict[str, set[int]]:
    """Which contacts carry each of ``tags`` in Mailchimp (to notice who entered or left a saved search)."""
    wanted = set(tags)
    index: dict[str, set[int]] = {tag: set() for tag in wanted}
    if not wanted:
        return index
    query = select(LedgerRow.contact_id, LedgerRow.tags).where(
        LedgerRow.integration_id == integration_id, LedgerRow.contact_id.is_not(None)
    )
    for contact_id, row_tags in session.execute(query):
        for tag in wanted.intersection(row_tags or ()):
            index[tag].add(int(contact_id or 0))
    return index


# Addresses Mailchimp still holds as members of the audience (whatever their consent status).
_PRESENT = (
    RemoteStatus.subscribed,
    RemoteStatus.pending,
    RemoteStatus.unsubscribed,
    RemoteStatus.cleaned,
    RemoteStatus.transactional,
)


def present_contact_ids(session: Session, integration_id: int) -> set[int]:
    """Contacts whose address is in the audience now (not archived, not deleted there)."""
    query = select(LedgerRow.contact_id).where(
        LedgerRow.integration_id == integration_id,
        LedgerRow.contact_id.is_not(None),
        LedgerRow.status.in_(_PRESENT),
    )
    return {contact_id for contact_id in session.scalars(query) if contact_id is not None}


def save(
    session: Session,
    integration_id: int,
    updates: Iterable[LedgerUpdate],
    synced_at: datetime | None,
    held: Mapping[str, HeldRow] | None = None,
) -> None:
    """Insert or overwrite the members' rows (a later outcome for the same member wins).

    ``synced_at`` is when we wrote (or are about to write) these members to Mailchimp; None for what was
    only read from Mailchimp (reconciliation), which keeps the time on record: the two-way interest rule
    reads it to tell her own untick from a change we have not sent yet. ``held``: rows this transaction
    read with ``held_rows`` and has not changed since (the same rows stored, written more cheaply)."""
    stored = {h: row.owner for h, row in held.items()} if held else None
    ledger_upsert.upsert(session, _values(integration_id, updates, synced_at), stored)


def create_absent(
    session: Session, integration_id: int, entries: Sequence[LedgerEntry], synced_at: datetime
) -> set[str]:
    """Rows for the addresses that have none (a page's intent rows, written before its request goes
    out); an address that has a row already keeps it as it is. Returns the addresses given a row.

    PostgreSQL checks and writes in one statement (INSERT … ON CONFLICT DO NOTHING RETURNING): reading the
    rows first cost a quarter of a claim. SQLite reads them first: its write transaction, opened by the
    run's fence, already keeps every other writer out until it ends."""
    updates = [LedgerUpdate(entry) for entry in entries]
    if session.get_bind().dialect.name == "postgresql":
        return ledger_upsert.insert_absent_postgresql(session, _values(integration_id, updates, synced_at))
    present = statuses_of(session, integration_id, [entry.subscriber_hash for entry in entries], lock=True)
    fresh = [update for update in updates if update.entry.subscriber_hash not in present]
    ledger_upsert.insert_new_sqlite(session, _values(integration_id, fresh, synced_at))
    return {update.entry.subscriber_hash for update in fresh}


def _values(
    integration_id: int, updates: Iterable[LedgerUpdate], synced_at: datetime | None
) -> list[ledger_upsert.LedgerValues]:
    latest = {u.entry.subscriber_hash: u for u in updates}
    tags_text = _TagsText()
    # Positional, in ``LedgerValues``' order (by keyword it took 2.5x as long), and each enum's text as its
    # ``_value_`` (the ``value`` property costs 0.1 µs): a first sync makes two of these per member.
    return [
        ledger_upsert.LedgerValues(
            integration_id,
            (e := u.entry).subscriber_hash,
            e.email,
            e.contact_id,
            e.status._value_,
            e.fingerprint,
            tags_text(e.tags),
            e.archived_by_us,
            e.refused,
            e.intent._value_,
            e.contact_id if e.contact_id is not None else e.last_contact_id,  # kept once the owner goes
            e.mc_contact_id,
            e.archived_by_hand,
            u.last_changed,
            synced_at,
            u.error,
        )
        for u in latest.values()
    ]


class _TagsText(dict[frozenset[str], str]):
    """The stored text of each tag set, made once per page: most members carry one of a few sets."""

    def __call__(self, tags: frozenset[str]) -> str:
        text = self.get(tags)
        if text is None:
            text = self[tags] = json.dumps(sorted(tags))
        return text


def count_subscribed_contacts(session: Session, integration_id: int, contact_ids: Collection[int]) -> int:
    """How many subscribed members these contacts own in the audience."""
    total = 0
    for chunk in _chunks(sorted(contact_ids)):
        query = select(func.count()).where(
            LedgerRow.integration_id == integration_id,
            LedgerRow.contact_id.in_(chunk),
            LedgerRow.status == RemoteStatus.subscribed,
        )
        total += int(session.scalar(query) or 0)
    return total


def with_deleted_owners(session: Session, integration_id: int) -> dict[str, LedgerEntry]:
    """Members we synced for contacts deleted since, still subscribed: the next run archives them.

    Few at any time (each is archived by the run that finds it), found through the contact index's NULL
    entries (on PostgreSQL, whatever the statistics: ``_found_apart``).
    """
    deleted_owner = (
        LedgerRow.contact_id.is_(None)
        & LedgerRow.last_contact_id.is_not(None)
        & (LedgerRow.status == RemoteStatus.subscribed)
    )
    if session.get_bind().dialect.name != "postgresql":
        return _load(session, integration_id, deleted_owner)
    return _entries(
        session, _integration_after(_found_apart(deleted_owner).subquery("found"), integration_id)
    )


def forget_hashes(session: Session, integration_id: int, hashes: Collection[str]) -> None:
    """Drop rows for addresses that no longer exist as such in Mailchimp (renamed members)."""
    for chunk in _chunks(sorted(hashes)):
        ids = by_hashes(session, integration_id, chunk, (LedgerRow.id,)).scalar_subquery()
        session.execute(delete(LedgerRow).where(LedgerRow.id.in_(ids)))


def record_error(session: Session, integration_id: int, subscriber_hash: str, message: str) -> None:
    """Note the last error on a member we already know (an unknown member gets no row: no status)."""
    session.execute(
        update(LedgerRow)
        .where(LedgerRow.integration_id == integration_id, LedgerRow.subscriber_hash == subscriber_hash)
        .values(last_error=message)
    )


# -- one member at a time: Mailchimp's own changes (webhooks, reconciliation, re-confirm) ------------------


def row_of(session: Session, integration_id: int, member_hash: str) -> LedgerRow | None:
    return session.scalar(
        select(LedgerRow).where(
            LedgerRow.integration_id == integration_id, LedgerRow.subscriber_hash == member_hash
        )
    )


@dataclass(frozen=True, slots=True)
class HeldStatus:
    """What Mailchimp now holds for one member, as an event told us."""

    member_hash: str
    email: str
    owner: int | None  # the contact whose data the member carries, when the ledger has none yet
    status: RemoteStatus
    refused: str
    changed_at: datetime


def record_status(
    session: Session, integration_id: int, row: LedgerRow | None, held: HeldStatus
) -> LedgerRow:
    """Write the member's status (creating its row if we never saw it); never moves ``last_changed`` back."""
    if row is None:
        row = LedgerRow(
            integration_id=integration_id,
            subscriber_hash=held.member_hash,
            email=held.email,
            contact_id=held.owner,
            status=held.status,
            refused=held.refused,
            last_changed=held.changed_at,
        )
        session.add(row)
        session.flush()
        return row
    row.status = held.status
    row.refused = held.refused
    # Mailchimp's own news: whatever the member was archived as, it is no longer "archived by us" (an
    # unsubscribe landing after our archive must never be re-added as ours).
    row.archived_by_us = False
    row.intent = ""  # Mailchimp has told us what it holds: no write of ours is pending any more
    if row.contact_id is None:
        row.contact_id = held.owner
    if row.last_changed is None or row.last_changed < held.changed_at:
        row.last_changed = held.changed_at
    return row


def rekey(
    session: Session, integration_id: int, old_hash: str, new_email: str, new_hash: str, at: datetime
) -> None:
    """A member renamed in Mailchimp: its row moves to the new address (or goes, if that one is known)."""
    old = row_of(session, integration_id, old_hash)
    if old is None:
        return
    if row_of(session, integration_id, new_hash) is not None:
        session.delete(old)  # already known under the new address
        session.flush()
        return
    old.subscriber_hash = new_hash
    old.email = new_email
    if old.last_changed is None or old.last_changed < at:
        old.last_changed = at


def present_hashes_after(session: Session, integration_id: int, after: str, limit: int) -> list[str]:
    """Up to ``limit`` addresses (hashes) after ``after``, in order, of the rows not already forgotten."""
    query = (
        select(LedgerRow.subscriber_hash)
        .where(LedgerRow.integration_id == integration_id, LedgerRow.subscriber_hash > after)
        .where(LedgerRow.status != RemoteStatus.forgotten)
        .order_by(LedgerRow.subscriber_hash)
        .limit(limit)
    )
    return list(session.scalars(query))


def unseen_since(
    session: Session, integration_id: int, moment: datetime, after: str, limit: int
) -> dict[str, LedgerEntry]:
    """Rows a refresh that stamped every member it read with ``moment`` did not meet (and that are not
    already forgotten), in address-hash order after ``after``: the members Mailchimp may no longer hold."""
    unseen = or_(LedgerRow.last_synced_at.is_(None), LedgerRow.last_synced_at < moment)
    query = (
        select(*_ENTRY_COLUMNS)
        .where(LedgerRow.integration_id == integration_id, unseen, LedgerRow.subscriber_hash > after)
        .where(LedgerRow.status != RemoteStatus.forgotten)
        .order_by(LedgerRow.subscriber_hash)
        .limit(limit)
    )
    return _entries(session, query)
