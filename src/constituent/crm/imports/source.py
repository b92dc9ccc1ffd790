"""Reading the CSV file: a checked UTF-8 text stream, and its records with their physical line numbers."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from constituent.kit.csv_cells import restore

_BLOCK = 1 << 20


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, not UTF-8, bad header); nothing was written."""


def count_lines(path: Path) -> int:
    """Lines in the file; reading all of it first proves it is UTF-8 before any chunk commits."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    lines = offset = 0
    last = b"\n"
    try:
        with path.open("rb") as handle:
            while block := handle.read(_BLOCK):
                decoder.decode(block)
                lines += block.count(b"\n")
                offset += len(block)
                last = block[-1:]
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        position = offset + exc.start
        raise ImportFileError(
            f"{path}: not UTF-8 text (bad byte at offset {position}); save it as UTF-8 CSV"
        ) from exc
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    return lines if last == b"\n" else lines + 1


class CsvReader(Protocol):
    line_num: int

    def __next__(self) -> list[str]: ...


def records(reader: CsvReader) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """(first physical line, values or the parse error) per record; a record may span lines in quotes."""
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num < line:
                raise ImportFileError(f"line {line}: {exc}") from exc
            yield line, exc
            continue
        if values:  # a blank line is not a record
            yield line, [restore(value) for value in values]
