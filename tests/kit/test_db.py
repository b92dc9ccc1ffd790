"""The engines ``kit.db.make_engine`` makes, on both databases."""

from __future__ import annotations

from sqlalchemy import text

from constituent.kit.db import SQLITE_CACHE_KIB, make_engine
from tests.conftest import TestDatabase


def test_postgresql_compiles_no_statement_just_in_time_and_sqlite_waits_for_a_busy_writer(
    empty_db: TestDatabase,
) -> None:
    # PostgreSQL's JIT cost a sync slice's desired state 0.5 s of 1.7 s (10,000 contacts of 1,000,000)
    # and made no saved search faster: every connection turns it off.
    with empty_db.engine.connect() as connection:
        if empty_db.dialect == "postgresql":
            assert connection.execute(text("SHOW jit")).scalar() == "off"
            assert connection.execute(text("SHOW search_path")).scalar() == empty_db.schema
        else:
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_sqlite_connection_keeps_32_mib_of_page_cache(empty_db: TestDatabase) -> None:
    # A sync's ledger writes land on random pages of its key: the default 2 MiB cache re-read them.
    if empty_db.dialect != "sqlite":
        return
    with empty_db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA cache_size")).scalar() == -SQLITE_CACHE_KIB == -32 * 1024


def test_options_a_postgresql_url_carries_are_kept_beside_jit_off(empty_db: TestDatabase) -> None:
    # The CLI's child processes get their schema in the URL (options=-csearch_path=…): turning JIT off
    # once replaced those options, and a command read another schema's tables.
    url = empty_db.url
    if empty_db.dialect == "postgresql":
        url = f"{url}?options=-csearch_path%3D{empty_db.schema}"
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if empty_db.dialect == "postgresql":
                assert connection.execute(text("SHOW search_path")).scalar() == empty_db.schema
                assert connection.execute(text("SHOW jit")).scalar() == "off"
            else:
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
