"""Browser CSV imports: record one, move it along, report it. Never commits (the runner does)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from constituent.crm.csv_imports import repository
from constituent.crm.csv_imports.models import CsvImport, ImportStatus
from constituent.crm.errors import InvalidInput, NotFound
from constituent.crm.imports.importer import ImportResult
from constituent.kit.clock import utcnow

FILENAME_MAX = 255


def start_import(session: Session, filename: str, user_id: int | None) -> CsvImport:
    name = filename.strip().rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:FILENAME_MAX]
    if not name:
        raise InvalidInput("file", "choose a CSV file to import")
    row = CsvImport(
        filename=name,
        status=ImportStatus.queued,
        user_id=user_id,
        rejected=[],
        skipped=[],
        unknown_groups=[],
        ignored_columns=[],
    )
    return repository.add(session, row)


def get_import(session: Session, import_id: int) -> CsvImport:
    row = repository.get(session, import_id)
    if row is None:
        raise NotFound("import", import_id)
    return row


def recent_imports(session: Session, limit: int = 10) -> Sequence[CsvImport]:
    return repository.recent(session, limit)


def record_progress(session: Session, import_id: int, read: int, expected: int) -> None:
    row = get_import(session, import_id)
    row.status, row.rows_read, row.rows_expected = ImportStatus.running, read, expected
    session.flush()


def record_result(session: Session, import_id: int, result: ImportResult) -> None:
    row = get_import(session, import_id)
    row.status = ImportStatus.succeeded
    row.imported, row.updated = result.created, result.updated
    lines = result.created + result.updated + len(result.merged) + len(result.skipped) + len(result.rejected)
    row.rows_read = max(row.rows_read, lines)
    report = result.as_dict()
    row.rejected, row.skipped, row.merged = report["rejected"], report["skipped"], len(result.merged)
    row.unknown_groups = [{"name": name, "lines": lines} for name, lines in result.unknown_groups.items()]
    row.ignored_columns = result.ignored_columns
    row.finished_at = utcnow()
    session.flush()


def record_failure(session: Session, import_id: int, message: str) -> None:
    row = get_import(session, import_id)
    row.status, row.error, row.finished_at = ImportStatus.failed, message, utcnow()
    session.flush()
