"""Database engine and sessions: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL (psycopg 3).

Services never commit; the boundary (CLI command, HTTP request, job) opens a session with
``session_scope`` and commits once at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, Index, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.base import Executable
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        return dialect.type_descriptor(DateTime(timezone=dialect.name == "postgresql"))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


SQLITE_CACHE_KIB = 32 * 1024


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while a sync writes; busy_timeout waits instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 32 MiB of page cache a connection (SQLite's default is 2 MiB): a sync stores its members' rows in
    # the order of their hashes, so each lands on a random page of the ledger's key; with the default,
    # a 100,000-member first sync read most of those pages back from the file (docs/BENCHMARKS.md,
    # session 13: 14.2 s → 13.4 s). An upper bound, filled only as pages are read.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _on_postgresql_connect(dbapi_connection: Any, _record: Any) -> None:
    # No JIT compilation: our statements are many and short (a sync slice's desired state, keyed
    # lookups), and compiling each costs more than it saves: the desired state of 10,000 contacts of
    # 1,000,000 took 1.7 s with it and 1.2 s without; full-table saved searches ran the same either way.
    # (A SET, not the connection's options, which a URL may carry already, e.g. its search_path.)
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def make_engine(url: str, *, schema: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine; ``schema`` sets PostgreSQL's search_path (each test gets its own)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    event.listen(engine, "connect", _on_postgresql_connect)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The transaction boundary: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def plain_rows(session: Session, statement: Executable) -> Result[Any]:
    """The rows of a SELECT of columns (no mapped objects) through the session's connection: without the
    ORM's work on every row, which ``session.execute`` does for any statement naming mapped columns.
    A first sync reads each member's ledger row about three times and its desired row once: 20,161
    ledger rows cost 50-57 ms of CPU through the session, 30 ms through its connection
    (PostgreSQL). Pending changes are flushed first, as ``session.execute`` would."""
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return session.connection().execute(statement)


def one_database_index(name: str, *columns: str, dialect: str) -> Index:
    """An index made on one database only (``create_all`` and the migrations both skip it elsewhere);
    ``made_here`` keeps Alembic from comparing it with another database's index of the same name."""
    return Index(name, *columns, info={"dialect": dialect}).ddl_if(dialect=dialect)


def made_here(dialect: str, item: Any, kind: str) -> bool:
    """Whether a model's schema item is made on ``dialect`` (an Alembic ``include_object`` test)."""
    made_on = getattr(item, "info", {}).get("dialect") if kind == "index" else None
    return made_on is None or made_on == dialect


__all__ = [
    "Base",
    "NullPool",
    "UTCDateTime",
    "made_here",
    "make_engine",
    "make_sessionmaker",
    "normalise_url",
    "one_database_index",
    "plain_rows",
    "session_scope",
]
