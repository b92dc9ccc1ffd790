"""The suite's own PostgreSQL schemas: a test that fails while a process it paused still holds a lock
must not hang the whole run.

Found in CI (stop 35): one test failed and the run then sat at 2,376 of 2,377 tests until CI's 90
minutes ran out. A test that pauses a sync process (SIGSTOP) and fails before waking it leaves that
process's transaction open; dropping the test's schema then waited for its locks for ever, after the
per-test timeout had already fired once. The paused holder is built here deterministically.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

import pytest
from sqlalchemy import text

from tests.conftest import POSTGRES_URL, _postgres_database

# psycopg takes the URL without SQLAlchemy's driver name.
LIBPQ_URL = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")

HOLD_A_LOCK = """
import sys, time, psycopg
url, schema = sys.argv[1], sys.argv[2]
with psycopg.connect(url, options="-csearch_path=" + schema) as c:
    c.execute("LOCK TABLE held IN ACCESS EXCLUSIVE MODE")
    print("locked", flush=True)
    time.sleep(600)
"""


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_schema_is_dropped_after_its_test_while_a_paused_process_holds_a_lock_on_it(backend: str) -> None:
    databases = _postgres_database()
    database = next(databases)
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE held (id int)"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_LOCK, LIBPQ_URL, str(database.schema)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        holder.send_signal(signal.SIGSTOP)
        dropped = threading.Event()

        def tear_down() -> None:
            databases.close()
            dropped.set()

        threading.Thread(target=tear_down, daemon=True).start()
        assert dropped.wait(timeout=30), "the schema's teardown waited on the paused process's lock"
    finally:
        holder.kill()
        holder.wait(timeout=10)

    with database.engine.connect() as connection:
        left = connection.scalar(
            text("SELECT count(*) FROM pg_namespace WHERE nspname = :schema"), {"schema": database.schema}
        )
    assert left == 0
