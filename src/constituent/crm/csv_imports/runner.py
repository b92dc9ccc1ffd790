"""Runs a browser CSV import in a background thread of the web process.

The importer is its own boundary (it commits chunk by chunk); the runner records progress after each
chunk and the outcome at the end, each in a short transaction of its own, so the page's htmx poll —
served by whichever web process — reads it from the database. The uploaded file is deleted afterwards.
"""

from __future__ import annotations

import threading
from pathlib import Path

from constituent.crm.csv_imports import service
from constituent.crm.imports.importer import ImportOptions, import_csv
from constituent.crm.imports.source import ImportFileError
from constituent.kit.db import session_scope
from constituent.kit.logging import get_logger
from constituent.kit.runtime import Database

log = get_logger(__name__)


def run_import(
    database: Database, import_id: int, path: Path, actor: str, options: ImportOptions = ImportOptions()
) -> None:
    """The whole import, start to finish; never raises (the outcome is in the csv_imports row)."""

    def progress(read: int, expected: int) -> None:
        with session_scope(database.sessions) as session:
            service.record_progress(session, import_id, read, expected)

    try:
        result = import_csv(database.sessions, path, actor=actor, options=options, progress=progress)
    except ImportFileError as exc:
        _fail(database, import_id, str(exc).replace(str(path), "The file"))
    except Exception as exc:
        # The type only: a message may quote a row of the file (names, addresses).
        log.error("csv import failed", import_id=import_id, error=type(exc).__name__)
        _fail(
            database, import_id, "The import stopped on an unexpected error; whole chunks already read stay."
        )
    else:
        with session_scope(database.sessions) as session:
            service.record_result(session, import_id, result)
    finally:
        path.unlink(missing_ok=True)


def _fail(database: Database, import_id: int, message: str) -> None:
    with session_scope(database.sessions) as session:
        service.record_failure(session, import_id, message)


def start_in_background(
    database: Database, import_id: int, path: Path, actor: str, options: ImportOptions
) -> threading.Thread:
    thread = threading.Thread(
        target=run_import,
        args=(database, import_id, path, actor, options),
        name=f"csv-import-{import_id}",
        daemon=True,
    )
    thread.start()
    return thread
