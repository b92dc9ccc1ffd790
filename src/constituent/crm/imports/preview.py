"""The import's mapping step: a file's columns with the field each fills, and its first rows as they
would be stored, for a person to check before anything is written."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from constituent.crm.imports.columns import FIELDS
from constituent.crm.imports.headers import ColumnMap, find_header
from constituent.crm.imports.rows import RowError, parse_row
from constituent.crm.imports.source import FileFormat, ImportFileError, csv_reader, records, scan

PREVIEW_ROWS = 5
# What the preview table shows of a row, in this order.
SHOWN = ("kind", "first_name", "last_name", "organization_name", "emails", "phone", "postal_code", "groups")


@dataclass(frozen=True, slots=True)
class PreviewRow:
    line: int
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True, slots=True)
class Preview:
    header: list[str]
    chosen: dict[str, str]  # file column -> field ("" leaves it out)
    rows: list[PreviewRow]
    problem: str = ""  # why the mapping cannot import (then nothing would be written)
    file_format: FileFormat = field(default_factory=FileFormat)  # shown unless UTF-8 with commas
    header_line: int = 1  # the line naming the columns; those above it (a title) are left out


def preview(path: Path, mapping: Mapping[str, str] | None = None, count: int = PREVIEW_ROWS) -> Preview:
    try:
        file_format = scan(path).format
        with csv_reader(path, file_format) as reader:
            rows = records(reader)
            found = find_header(rows, mapping)
            sample = list(islice(rows, count)) if found and found.columns else []
    except ImportFileError as exc:
        reason = str(exc).replace(f"{path}: ", "")  # the server's path is nobody's business on a page
        return Preview([], {}, [], f"The file cannot be read as a spreadsheet saved as CSV ({reason}).")
    if found is None:
        return Preview([], {}, [], "The file is empty: it has no line naming its columns.", file_format)
    header = [name.strip() for name in found.names]
    if found.columns is None:
        problem = found.problem[:1].upper() + found.problem[1:]  # capitalize() would lower the names
        return Preview(header, dict(mapping or {}), [], problem, file_format, found.line)
    shown = [_row(found.columns, line, values) for line, values in sample]
    return Preview(header, _chosen(header, found.columns), shown, "", file_format, found.line)


def _chosen(header: list[str], columns: ColumnMap) -> dict[str, str]:
    by_position = {position: name for name, position in columns.positions.items()}
    return {column: by_position.get(index, "") for index, column in enumerate(header)}


def _row(columns: ColumnMap, line: int, values: list[str] | csv.Error) -> PreviewRow:
    if isinstance(values, csv.Error):
        return PreviewRow(line, error=f"cannot be read as CSV: {values}")
    try:
        row = parse_row(columns, values, line)
    except RowError as exc:
        return PreviewRow(line, error=str(exc))
    stored = row.new_contact_fields()
    shown = {name: str(getattr(stored.get(name, ""), "value", stored.get(name, ""))) for name in SHOWN}
    shown["emails"] = ", ".join(email.address for email in row.emails)
    shown["groups"] = ", ".join(row.groups)
    return PreviewRow(line, shown)


def field_choices() -> tuple[str, ...]:
    return FIELDS
