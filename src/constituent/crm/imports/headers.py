"""Which column of a file fills which field: matched by meaning, overridden by the user's mapping."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from constituent.crm.imports.columns import FIELDS, IDENTIFYING, MEANINGS, HeaderError, squash

# A mapping's value that leaves a column out on purpose.
IGNORE = ("", "ignore", "-")
# A sheet may open with a title, a date or blank cells above its column names ("Sign-up sheet - March
# rally,,,"). Such a line fills at most this many cells, and no more than this many lines are looked at.
TITLE_CELLS_MOST = 2
TITLE_LINES_MOST = 10


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Field -> position in the row, the columns nothing reads, and how many columns a row has."""

    positions: dict[str, int]
    ignored: list[str]
    width: int
    # Columns with a blank name (a spreadsheet pads its header with empty cells): read by nothing, and
    # told about only if a row has something in them (``importer``).
    unnamed: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class HeaderRow:
    """The record naming the columns: its names, its physical line, and what they fill (or why not)."""

    names: list[str]
    line: int
    columns: ColumnMap | None
    problem: str = ""


def find_header(
    rows: Iterator[tuple[int, list[str] | csv.Error]], mapping: Mapping[str, str] | None = None
) -> HeaderRow | None:
    """The first record whose columns make a contact, past lines that look like a title (few cells
    filled, none naming a column); None for a file with no record. When no record does, the problem is
    told about the first line that is no title (else the first line), as if it were the header."""
    examined: list[HeaderRow] = []
    for line, values in rows:
        if isinstance(values, csv.Error):
            examined.append(HeaderRow([], line, None, f"line {line} cannot be read as CSV: {values}"))
            continue
        try:
            return HeaderRow(values, line, match_columns(values, mapping))
        except HeaderError as exc:
            examined.append(HeaderRow(values, line, None, str(exc)))
        if _filled(values) > TITLE_CELLS_MOST or len(examined) >= TITLE_LINES_MOST:
            break
    if not examined:
        return None
    return next((row for row in examined if _filled(row.names) > TITLE_CELLS_MOST), examined[0])


def _filled(values: list[str]) -> int:
    return sum(1 for value in values if value.strip())


def parse_mapping(items: list[str]) -> dict[str, str]:
    """``["Zip=postal_code", "Notes="]`` -> ``{"Zip": "postal_code", "Notes": ""}`` (the CLI's --map)."""
    mapping = {}
    for item in items:
        column, sep, field = item.partition("=")
        if not sep or not column.strip():
            raise HeaderError(f'{item!r} is not COLUMN=FIELD (e.g. "Zip=postal_code")')
        mapping[column.strip()] = field.strip()
    return mapping


def match_columns(header: list[str], mapping: Mapping[str, str] | None = None) -> ColumnMap:
    names = [name.strip() for name in header]
    chosen = _checked_mapping(names, mapping or {})
    claimed = set(chosen.values())  # a field the user mapped is never also filled by a guess
    positions: dict[str, int] = {}
    ignored = []
    unnamed = tuple(index for index, name in enumerate(names) if not name)
    for index, name in enumerate(names):
        if not name:
            continue
        guess = MEANINGS.get(squash(name))
        field = chosen.get(name.lower(), None if guess in claimed else guess)
        if field in IGNORE or field is None or field in positions:
            ignored.append(name)
            continue
        positions[field] = index
    if not any(field in positions for field in IDENTIFYING):
        found = ", ".join(names) or "none"
        raise HeaderError(
            f"no column holds a name or an email (found: {found}); a contact needs a first name, "
            "a last name, an organization name or an email"
        )
    return ColumnMap(positions, ignored, len(names), unnamed)


def _checked_mapping(names: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    present = {name.lower() for name in names}
    chosen = {}
    for column, field in mapping.items():
        if column.lower() not in present:
            raise HeaderError(f"the mapping names column {column!r}, which the file does not have")
        if field not in IGNORE and field not in FIELDS:
            raise HeaderError(f"{field!r} is not a field (fields: {', '.join(FIELDS)})")
        chosen[column.lower()] = field
    targets = [f for f in chosen.values() if f not in IGNORE]
    twice = sorted({f for f in targets if targets.count(f) > 1})
    if twice:
        raise HeaderError(f"the mapping sends two columns to {', '.join(twice)}")
    return chosen
