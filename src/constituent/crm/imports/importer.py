"""Streaming, chunked CSV import of contacts.

Each chunk commits on its own (this function is a boundary, like a job): a crash mid-file leaves
whole chunks imported and the rest untouched, and running the file again updates the rows that carry
an ``external_id`` instead of duplicating them. A wrong header or an unreadable file writes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from constituent.crm.imports.chunk import write_chunk
from constituent.crm.imports.columns import HeaderError, check_header
from constituent.crm.imports.rows import ImportRow, RowError, parse_row
from constituent.crm.imports.source import CsvReader, ImportFileError, count_lines, records
from constituent.kit.db import session_scope

DEFAULT_CHUNK_SIZE = 5000

# Called after each chunk with (records read so far, records expected); the CLI draws a bar from it.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    error: str


@dataclass(slots=True)
class ImportResult:
    imported: int = 0
    updated: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        rejected = [{"line": r.line, "error": r.error} for r in self.rejected]
        return {"imported": self.imported, "updated": self.updated, "rejected": rejected}


def import_csv(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    actor: str = "import",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
) -> ImportResult:
    expected = max(count_lines(path) - 1, 0)
    result = ImportResult()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = _header(reader, path)
        for chunk, read in _chunks(reader, header, result.rejected, chunk_size):
            with session_scope(sessions) as session:
                outcome = write_chunk(session, chunk, actor)
            result.imported += outcome.imported
            result.updated += outcome.updated
            if progress:
                progress(read, expected)
    return result


def _header(reader: CsvReader, path: Path) -> list[str]:
    try:
        return check_header(next(reader))
    except StopIteration:
        raise ImportFileError(f"{path}: the file is empty; expected a header row") from None
    except (HeaderError, csv.Error) as exc:
        raise ImportFileError(f"{path}: wrong header: {exc}") from exc


def _chunks(
    reader: CsvReader, header: list[str], rejected: list[Rejection], size: int
) -> Iterator[tuple[list[ImportRow], int]]:
    """Checked rows, ``size`` at a time, with the count of records read; bad rows go to ``rejected``."""
    first_line_of: dict[str, int] = {}
    chunk: list[ImportRow] = []
    read = 0
    for line, values in records(reader):
        read += 1
        try:
            row = _checked(header, values, line, first_line_of)
        except RowError as exc:
            rejected.append(Rejection(line, str(exc)))
            continue
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk, read
            chunk = []
    if chunk or read:
        yield chunk, read


def _checked(
    header: list[str], values: list[str] | csv.Error, line: int, first_line_of: dict[str, int]
) -> ImportRow:
    if isinstance(values, csv.Error):
        raise RowError(f"cannot be read as CSV: {values}")
    row = parse_row(header, values, line)
    if row.external_id:
        earlier = first_line_of.setdefault(row.external_id, line)
        if earlier != line:
            raise RowError(f"external_id {row.external_id!r} was already used on line {earlier}")
    return row
