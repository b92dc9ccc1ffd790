"""CSV import: stream the file, check each row, write chunk by chunk; bad rows are reported, not fatal.

Columns are matched by meaning (``headers.py``); each row becomes a new contact or updates the
contact it is about (``matching.py``), so importing a file again, after a crash or not, with or
without external ids, never makes duplicates. A file no column of which holds a name or an email,
an unreadable file or a wrong mapping writes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from constituent.crm.imports.chunk import ChunkOutcome, ChunkRules, write_chunk
from constituent.crm.imports.headers import ColumnMap, find_header
from constituent.crm.imports.matching import DuplicatePolicy, FileMemory
from constituent.crm.imports.rows import ImportRow, RowError, parse_row
from constituent.crm.imports.source import CsvReader, FileFormat, ImportFileError, csv_reader, records, scan
from constituent.kit.db import session_scope

__all__ = ["DuplicatePolicy", "ImportOptions", "ImportResult", "Rejection", "import_csv"]

DEFAULT_CHUNK_SIZE = 5000

# Called after each chunk with (records read so far, records expected); the CLI draws a bar from it.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    column_map: Mapping[str, str] = field(default_factory=dict)  # file column -> field ("" ignores it)
    on_duplicate: DuplicatePolicy = DuplicatePolicy.update
    create_groups: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    error: str


@dataclass(slots=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    merged: list[int] = field(default_factory=list)  # lines folded into an earlier row of the file
    skipped: list[tuple[int, int]] = field(default_factory=list)  # (line, the existing contact's id)
    rejected: list[Rejection] = field(default_factory=list)
    unknown_groups: dict[str, list[int]] = field(default_factory=dict)  # not created: name -> lines
    ignored_columns: list[str] = field(default_factory=list)
    file_format: FileFormat = field(default_factory=FileFormat)  # the encoding and separator read with
    header_line: int = 1  # the column names' line: the lines above (a title) are left out

    def add(self, outcome: ChunkOutcome) -> None:
        self.created += outcome.created
        self.updated += outcome.updated
        self.merged += outcome.matches.merged
        self.skipped += outcome.matches.skipped
        self.rejected += [Rejection(line, error) for line, error in outcome.matches.rejected]
        for name, lines in outcome.unknown_groups.items():
            self.unknown_groups.setdefault(name, []).extend(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "merged": sorted(self.merged),
            "skipped": [{"line": line, "contact_id": cid} for line, cid in self.skipped],
            "rejected": [{"line": r.line, "error": r.error} for r in sorted(self.rejected, key=_line)],
            "unknown_groups": self.unknown_groups,
            "ignored_columns": self.ignored_columns,
            "read_as": self.file_format.described(),
            "header_line": self.header_line,
        }


def _line(rejection: Rejection) -> int:
    return rejection.line


def import_csv(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    actor: str = "import",
    options: ImportOptions = ImportOptions(),
    progress: Progress | None = None,
) -> ImportResult:
    scanned = scan(path)
    result = ImportResult(file_format=scanned.format)
    memory = FileMemory()
    rules = ChunkRules(options.on_duplicate, options.create_groups)
    with csv_reader(path, scanned.format) as reader:
        columns, result.header_line = _header(reader, path, options.column_map)
        expected = max(scanned.lines - result.header_line, 0)  # lines after the column names
        result.ignored_columns = columns.ignored
        unnamed_with_data: set[int] = set()
        for chunk, read in _chunks(reader, columns, result.rejected, options.chunk_size, unnamed_with_data):
            with session_scope(sessions) as session:
                result.add(write_chunk(session, chunk, actor, memory, rules))
            if progress:
                progress(read, expected)
    result.ignored_columns += [f"column {index + 1} (no name)" for index in sorted(unnamed_with_data)]
    result.rejected.sort(key=_line)
    return result


def _header(reader: CsvReader, path: Path, mapping: Mapping[str, str]) -> tuple[ColumnMap, int]:
    """What the columns fill, and the line naming them (a title above it is left out)."""
    found = find_header(records(reader), mapping)  # records() hands CSV errors over as values
    if found is None:
        raise ImportFileError(f"{path}: the file is empty; expected a header row")
    if found.columns is None:
        raise ImportFileError(f"{path}: wrong header: {found.problem}")
    return found.columns, found.line


def _chunks(
    reader: CsvReader, columns: ColumnMap, rejected: list[Rejection], size: int, unnamed_with_data: set[int]
) -> Iterator[tuple[list[ImportRow], int]]:
    """Checked rows, ``size`` at a time, with the count of records read; bad rows go to ``rejected``, and
    the unnamed columns a row fills to ``unnamed_with_data`` (what they hold is left out: say so)."""
    chunk: list[ImportRow] = []
    read = 0
    for line, values in records(reader):
        read += 1
        try:
            if isinstance(values, csv.Error):
                raise RowError(f"cannot be read as CSV: {values}")
            chunk.append(parse_row(columns, values, line))
            unnamed_with_data.update(i for i in columns.unnamed if values[i].strip())
        except RowError as exc:
            rejected.append(Rejection(line, str(exc)))
            continue
        if len(chunk) >= size:
            yield chunk, read
            chunk = []
    if chunk or read:
        yield chunk, read
