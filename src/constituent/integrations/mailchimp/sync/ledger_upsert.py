"""Storing ledger rows in bulk, below the ORM, because a full sync stores 100,000 of them and per-row
parameter processing would cost more than the requests to Mailchimp.

PostgreSQL gets one statement per chunk: each column travels as one array, sent as its text, and
``unnest`` turns them back into rows. SQLite gets the driver's own ``executemany``. Both end in an
INSERT … ON CONFLICT (integration, subscriber hash) DO UPDATE; SQLite's sets the owner and person
columns apart (``_SQLITE``). On SQLite, a row the writer's own transaction has just read
(``StoredOwner``), whose owner stays, is rewritten by one UPDATE by key instead (``_SQLITE_OVER``): a
first sync answers every row its claim made.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from constituent.kit.keyed import column_text

CHUNK = 5000


class LedgerValues(NamedTuple):
    """One row of ``mailchimp_ledger`` as the database stores it (tags already JSON text)."""

    integration_id: int
    subscriber_hash: str
    email: str
    contact_id: int | None
    status: str
    fingerprint: str
    tags: str
    archived_by_us: bool
    refused: str
    intent: str
    last_contact_id: int | None
    mc_contact_id: str
    archived_by_hand: bool
    last_changed: datetime | None
    last_synced_at: datetime | None  # right after last_changed (``_sqlite_rows``)
    last_error: str


COLUMNS = LedgerValues._fields


class StoredOwner(NamedTuple):
    """A row's owner and person columns, as the transaction about to overwrite it read them."""

    contact_id: int | None
    last_contact_id: int | None
    mc_contact_id: str


_PG_TYPES = dict.fromkeys(COLUMNS, "text") | {
    "integration_id": "integer",
    "contact_id": "integer",
    "last_contact_id": "integer",
    "tags": "json",
    "archived_by_us": "boolean",
    "archived_by_hand": "boolean",
    "last_changed": "timestamptz",
    "last_synced_at": "timestamptz",
}
_KEPT = ("last_changed", "mc_contact_id", "last_synced_at")
# The two times, next to each other in a row: SQLite stores them as text (``_sqlite_rows``).
_CHANGED, _SYNCED = COLUMNS.index("last_changed"), COLUMNS.index("last_synced_at")
if _SYNCED != _CHANGED + 1:
    raise RuntimeError("_sqlite_rows expects last_synced_at right after last_changed")

# Built from the constants above only; every value is a bound parameter.
_ON_CONFLICT = (
    "ON CONFLICT (integration_id, subscriber_hash) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[2:] if c not in _KEPT)
    # A write that did not learn Mailchimp's last_changed or person id keeps the one on record; a row only
    # read from Mailchimp keeps the time we last wrote it.
    + ", last_changed = coalesce(excluded.last_changed, mailchimp_ledger.last_changed)"
    + ", last_synced_at = coalesce(excluded.last_synced_at, mailchimp_ledger.last_synced_at)"
    + ", mc_contact_id = coalesce(nullif(excluded.mc_contact_id, ''), mailchimp_ledger.mc_contact_id)"
)
_INTO = f"INSERT INTO mailchimp_ledger ({', '.join(COLUMNS)}) "
# SQLite maintains an index, and checks a foreign key, for every column an UPDATE's SET list names,
# whether or not its value changes: with the contact columns in it, each row of a page looked its
# contact up (1,000,000 contacts: 80 µs a row). So its upsert leaves the owner and person columns
# out, and two UPDATEs set them only on the rows where they differ (``_sqlite``).
_OWNER_COLUMNS = ("contact_id", "last_contact_id", "mc_contact_id")
_SQLITE = (
    _INTO
    + f"VALUES ({', '.join('?' for _ in COLUMNS)}) "
    + "ON CONFLICT (integration_id, subscriber_hash) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[2:] if c not in _KEPT + _OWNER_COLUMNS)
    + ", last_changed = coalesce(excluded.last_changed, mailchimp_ledger.last_changed)"
    + ", last_synced_at = coalesce(excluded.last_synced_at, mailchimp_ledger.last_synced_at)"
)
_SQLITE_OWNER = (
    "UPDATE mailchimp_ledger SET contact_id = ?3, last_contact_id = ?4 "
    "WHERE integration_id = ?1 AND subscriber_hash = ?2 "
    "AND (contact_id IS NOT ?3 OR last_contact_id IS NOT ?4)"
)
_SQLITE_PERSON = (
    "UPDATE mailchimp_ledger SET mc_contact_id = ?3 "
    "WHERE integration_id = ?1 AND subscriber_hash = ?2 AND ?3 <> '' AND mc_contact_id IS NOT ?3"
)
# Rows for addresses that have none, in the write transaction that found them absent: nothing to update.
_SQLITE_NEW = _INTO + f"VALUES ({', '.join('?' for _ in COLUMNS)})"
# A row known to exist with the same owner (``StoredOwner``): what the upsert's DO UPDATE and the person
# UPDATE would do to it, in one statement that finds the row once. The upsert tries an INSERT first, and
# the two UPDATEs look every row up again: a first sync's answers took about twice as long
# (docs/BENCHMARKS.md, session 14). The person column is named only where it changes (SQLite rewrites the
# index of every column a SET names).
_OVER_COLUMNS = tuple(c for c in COLUMNS[2:] if c not in _KEPT + _OWNER_COLUMNS)
_OVER_SET = (
    "UPDATE mailchimp_ledger SET "  # noqa: S608  (constants only)
    + ", ".join(f"{c} = ?" for c in _OVER_COLUMNS)
    + ", last_changed = coalesce(?, last_changed), last_synced_at = coalesce(?, last_synced_at)"
)
_OVER_WHERE = " WHERE integration_id = ? AND subscriber_hash = ?"
_SQLITE_OVER = _OVER_SET + _OVER_WHERE
_SQLITE_OVER_PERSON = _OVER_SET + ", mc_contact_id = ?" + _OVER_WHERE
_OVER_OF = itemgetter(*(COLUMNS.index(c) for c in _OVER_COLUMNS))
_KEY = ("integration_id", "subscriber_hash")
_OWNER_OF = itemgetter(*(COLUMNS.index(c) for c in (*_KEY, "contact_id", "last_contact_id")))
_PERSON_OF = itemgetter(*(COLUMNS.index(c) for c in (*_KEY, "mc_contact_id")))
# Each column an array's text (``keyed.column_text``), read by the server as the cast's type.
_UNNEST = ", ".join(f"%({c})s::{_PG_TYPES[c]}[]" for c in COLUMNS)
_POSTGRES = _INTO + f"SELECT * FROM unnest({_UNNEST}) " + _ON_CONFLICT  # noqa: S608  (constants only)
_ABSENT_ONLY = "ON CONFLICT (integration_id, subscriber_hash) DO NOTHING RETURNING subscriber_hash"
_POSTGRES_ABSENT = _INTO + f"SELECT * FROM unnest({_UNNEST}) " + _ABSENT_ONLY  # noqa: S608  (constants only)


def upsert(
    session: Session, rows: Sequence[LedgerValues], stored: Mapping[str, StoredOwner] | None = None
) -> None:
    """Insert or overwrite ``rows``. ``stored``: what this transaction read of some of their rows (its
    write lock held since), which lets SQLite overwrite those in place."""
    if session.connection().dialect.name == "postgresql":
        for chunk in _chunks(rows):
            _postgres(session, chunk)
        return
    over, person, rest = _by_what_is_stored(rows, stored or {})
    for chunk in _chunks(rest):
        _sqlite(session, chunk)
    _sqlite_over(session, over, with_person=False)
    _sqlite_over(session, person, with_person=True)


def _by_what_is_stored(
    rows: Sequence[LedgerValues], stored: Mapping[str, StoredOwner]
) -> tuple[list[LedgerValues], list[LedgerValues], list[LedgerValues]]:
    """Rows stored with the same owner, without and with a new person id; and every other row."""
    over: list[LedgerValues] = []
    person: list[LedgerValues] = []
    rest: list[LedgerValues] = []
    for row in rows:
        held = stored.get(row.subscriber_hash)
        if held is None or held.contact_id != row.contact_id or held.last_contact_id != row.last_contact_id:
            rest.append(row)
        elif row.mc_contact_id and row.mc_contact_id != held.mc_contact_id:
            person.append(row)
        else:
            over.append(row)
    return over, person, rest


def _sqlite_over(session: Session, rows: Sequence[LedgerValues], *, with_person: bool) -> None:
    if not rows:
        return
    times = _time_texts(rows)
    session.connection().exec_driver_sql(
        _SQLITE_OVER_PERSON if with_person else _SQLITE_OVER,
        [
            (
                *_OVER_OF(row),
                times[row.last_changed],
                times[row.last_synced_at],
                *((row.mc_contact_id,) if with_person else ()),
                row.integration_id,
                row.subscriber_hash,
            )
            for row in rows
        ],
    )


def _postgres(session: Session, rows: Sequence[LedgerValues]) -> None:
    cursor: Any = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor:
        cursor.execute(_POSTGRES, _arrays(rows))


def insert_absent_postgresql(session: Session, rows: Sequence[LedgerValues]) -> set[str]:
    """PostgreSQL: insert the rows whose address has none yet, leave the others; the addresses inserted.
    One statement is the check and the write, so nothing can come between them."""
    inserted: set[str] = set()
    cursor: Any = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor:
        for chunk in _chunks(rows):
            cursor.execute(_POSTGRES_ABSENT, _arrays(chunk))
            inserted.update(row[0] for row in cursor.fetchall())
    return inserted


def _chunks(rows: Sequence[LedgerValues]) -> Iterator[Sequence[LedgerValues]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _arrays(rows: Sequence[LedgerValues]) -> dict[str, str]:
    columns = zip(COLUMNS, zip(*rows, strict=True), strict=True)
    return {name: column_text(values, _PG_TYPES[name]) for name, values in columns}


def _sqlite(session: Session, rows: Sequence[LedgerValues]) -> None:
    connection = session.connection()
    connection.exec_driver_sql(_SQLITE, _sqlite_rows(rows))
    connection.exec_driver_sql(_SQLITE_OWNER, list(map(_OWNER_OF, rows)))
    connection.exec_driver_sql(_SQLITE_PERSON, list(map(_PERSON_OF, rows)))


def insert_new_sqlite(session: Session, rows: Sequence[LedgerValues]) -> None:
    """SQLite: rows for addresses the same write transaction found without one (``ledger.create_absent``).
    A plain INSERT: the upsert's two UPDATEs would only look every row up again to change nothing."""
    connection = session.connection()
    for chunk in _chunks(rows):
        connection.exec_driver_sql(_SQLITE_NEW, _sqlite_rows(chunk))


def _time_texts(rows: Sequence[LedgerValues]) -> dict[datetime | None, str | None]:
    # A page's rows share a few times: each one's text is made once.
    return {t: _sqlite_time(t) for t in {r.last_changed for r in rows} | {r.last_synced_at for r in rows}}


def _sqlite_rows(rows: Sequence[LedgerValues]) -> list[tuple[Any, ...]]:
    times = _time_texts(rows)
    return [
        (*row[:_CHANGED], times[row.last_changed], times[row.last_synced_at], *row[_SYNCED + 1 :])
        for row in rows
    ]


def _sqlite_time(value: datetime | None) -> str | None:
    # The text form SQLAlchemy's UTCDateTime uses on SQLite, so reads and comparisons agree.
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
