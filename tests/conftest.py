"""Shared fixtures. Database tests run twice: on SQLite and on PostgreSQL, each in a fresh schema."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, Engine, create_engine, create_mock_engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from constituent.crm.contacts import search_index
from constituent.kit import migrate
from constituent.kit.db import make_engine, make_sessionmaker, normalise_url
from constituent.models import Base

pytest_plugins = ["tests.support.emulator", "tests.support.holding_proxy", "tests.support.spec_plugin"]

# Nothing a test runs may fall back to the checkout's ./data (keys, SQLite files, queues): each test
# process (each pytest-xdist worker) gets its own directory, and tests pass tmp_path where they can.
os.environ.setdefault("CONSTITUENT_DATA_DIR", tempfile.mkdtemp(prefix="constituent-tests-"))
# Retries keep their count and order but wait milliseconds, not seconds: the outage tests exhaust every
# retry of many requests (in this process and in the servers and CLI runs it starts, which inherit it).
os.environ.setdefault("CONSTITUENT_MAILCHIMP_RETRY_BASE_SECONDS", "0.01")

# Parameters that need a server (PostgreSQL, Redis): ``--sqlite-only`` (make check) leaves them out.
SERVER_BACKENDS = frozenset({"postgresql", "redis+postgresql", "redis"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--sqlite-only",
        action="store_true",
        help="Run database tests on SQLite only (the fast inner loop; CI runs both backends).",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--sqlite-only"):
        return
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params.values() if callspec is not None else ()
        needs_server = any(isinstance(p, str) and p in SERVER_BACKENDS for p in params)
        (dropped if needs_server else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


POSTGRES_URL = os.environ.get(
    "CONSTITUENT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass(frozen=True)
class TestDatabase:
    """A database for one test: its URL (with schema for PostgreSQL), engine and sessions."""

    __test__ = False

    url: str
    schema: str | None
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def env(self) -> dict[str, str]:
        """Environment for a subprocess (CLI, server) that must use this same database."""
        env = {"CONSTITUENT_DATABASE_URL": self.url}
        if self.schema:
            env["PGOPTIONS"] = f"-csearch_path={self.schema}"
        return env


def _sqlite_database(tmp_path: Path) -> Iterator[TestDatabase]:
    url = f"sqlite:///{tmp_path / 'test.db'}"
    engine = make_engine(url)
    yield TestDatabase(url, None, engine, make_sessionmaker(engine))
    engine.dispose()


def _postgres_database() -> Iterator[TestDatabase]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, schema=schema)
    try:
        yield TestDatabase(POSTGRES_URL, schema, engine, make_sessionmaker(engine))
    finally:
        engine.dispose()
        with admin.connect() as conn:
            _drop_schema(conn, schema)
        admin.dispose()


# What still holds a lock on one of the schema's tables: a process the test started (a sync it paused
# with SIGSTOP, a server) that its failure left behind with a transaction open.
_HOLDERS = text(
    "SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND l.pid <> pg_backend_pid()"
)


def _drop_schema(conn: Connection, schema: str) -> None:
    """Drop a test's schema, ending any session still holding its tables: waiting for them hung a CI run
    for ever once the per-test timeout had fired (``tests/kit/test_test_schemas.py``)."""
    conn.execute(text("SET lock_timeout = '5s'"))
    for _ in range(5):
        for pid in list(conn.scalars(_HOLDERS, {"schema": schema})):
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        try:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            return
        except OperationalError as error:
            if not isinstance(error.orig, psycopg.errors.LockNotAvailable):
                raise
    raise RuntimeError(f"schema {schema} is still locked after five tries")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    """A fresh, empty database (no tables) on each backend."""
    if request.param == "sqlite":
        yield from _sqlite_database(tmp_path)
    else:
        yield from _postgres_database()


@pytest.fixture
def db(empty_db: TestDatabase) -> TestDatabase:
    """A fresh database with every table created (and stamped as migrated, so CLI subprocesses accept it)."""
    return with_tables(empty_db)


def with_tables(empty_db: TestDatabase) -> TestDatabase:
    """``empty_db`` with the schema the migrations build, made the fast way: running the migrations cost
    half a second a test (``tests/kit/test_migrations.py`` checks the two schemas are the same)."""
    if empty_db.dialect == "sqlite":
        # A copy of one file made once per process: creating ~60 tables costs 55 ms, the copy 2 ms.
        empty_db.engine.dispose()
        shutil.copyfile(_sqlite_template(), _sqlite_path(empty_db.url))
        return empty_db
    with empty_db.engine.begin() as connection:
        # One round trip of DDL compiled once per process: create_all's per-table statements and catalogue
        # checks cost 0.2 s a test, the script 0.1 s.
        connection.exec_driver_sql(_postgres_ddl())
        # What create_all's after-create event does, which needs a real connection: the search indexes.
        search_index.install(connection)
    migrate.stamp(empty_db.engine)
    return empty_db


_POSTGRES_DDL: list[str] = []


def _postgres_ddl() -> str:
    """Every CREATE statement of the models, for PostgreSQL, as one script (the schema is the search path)."""
    if not _POSTGRES_DDL:
        statements: list[str] = []
        dialect = postgresql.dialect()

        def compiled(sql: Any, *_: object, **__: object) -> None:
            statements.append(str(sql.compile(dialect=dialect)).strip())

        Base.metadata.create_all(create_mock_engine("postgresql+psycopg://", compiled), checkfirst=False)
        _POSTGRES_DDL.append(";\n".join(statements))
    return _POSTGRES_DDL[0]


_TEMPLATE: list[Path] = []


def _sqlite_template() -> Path:
    """This process's SQLite file with every table, made once (each xdist worker is its own process)."""
    if not _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="constituent-template-")) / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        Base.metadata.create_all(engine)
        migrate.stamp(engine)
        engine.dispose()
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture
def session(db: TestDatabase) -> Iterator[Session]:
    with db.sessions() as s:
        yield s
