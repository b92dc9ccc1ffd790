"""Reading the CSV file: its format (encoding, separator) found and every byte checked, then its records
with their physical line numbers."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from constituent.kit.csv_cells import restore

_BLOCK = 1 << 20


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, not text, bad header); nothing was written."""


# What spreadsheet programs save as "CSV": UTF-8 (Excel's "CSV UTF-8" starts it with a byte order mark),
# UTF-16 with a byte order mark (Excel's "Unicode Text", tab-separated), or Windows' Western European code
# page (Excel's plain "CSV" on Windows, where "Zoë" is not UTF-8). UTF-8 is tried first: a file valid as
# UTF-8 is read so, whatever else it might also be.
_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_FALLBACK = "cp1252"
# Separators a sheet is saved with: commas, semicolons (Excel where the decimal mark is a comma), tabs.
# Ties go to the first: a one-column header has none of them.
_DELIMITERS = (",", ";", "\t")
_ENCODING_WORDS = {"utf-8-sig": "UTF-8 text", "utf-16": "Unicode (UTF-16) text", _FALLBACK: "Windows text"}
_DELIMITER_WORDS = {",": "commas", ";": "semicolons", "\t": "tabs"}


@dataclass(frozen=True, slots=True)
class FileFormat:
    """How the file is read: its text encoding and the character between its columns."""

    encoding: str = "utf-8-sig"
    delimiter: str = ","

    @property
    def usual(self) -> bool:
        """UTF-8 with commas: nothing to tell the person."""
        return self == FileFormat()

    def described(self) -> str:
        """In a staffer's words: "Read as Windows text, columns separated by semicolons"."""
        encoding, separator = _ENCODING_WORDS[self.encoding], _DELIMITER_WORDS[self.delimiter]
        return f"Read as {encoding}, columns separated by {separator}"


@dataclass(frozen=True, slots=True)
class FileScan:
    format: FileFormat
    lines: int  # physical lines, the header's included


def scan(path: Path) -> FileScan:
    """The file's format and line count, from one reading of the whole file: every byte is proved to be
    text in the encoding chosen before any row is written (a bad byte at the end refuses the file whole)."""
    try:
        with path.open("rb") as handle:
            start = handle.read(len(codecs.BOM_UTF8))
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    encoding = "utf-16" if start.startswith(_UTF16_MARKS) else "utf-8-sig"
    try:
        return _scan_as(path, encoding)
    except UnicodeDecodeError as exc:
        if encoding == "utf-16" or start.startswith(codecs.BOM_UTF8):
            raise _not_text(path, encoding, exc) from exc
    try:
        return _scan_as(path, _FALLBACK)
    except UnicodeDecodeError as exc:
        raise _not_text(path, _FALLBACK, exc) from exc


def _scan_as(path: Path, encoding: str) -> FileScan:
    decoder = codecs.getincrementaldecoder(encoding)()
    first_line: str | None = None  # the header's separator is counted on it
    lines = offset = 0
    last = "\n"
    try:
        with path.open("rb") as handle:
            for block, final in _blocks(handle):
                text = decoder.decode(block, final)
                if first_line is None:
                    first_line = text.partition("\n")[0]
                lines += text.count("\n")
                last = text[-1:] or last
                offset += len(block)
    except UnicodeDecodeError as exc:
        exc.start += offset
        raise
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    counted = lines if last == "\n" else lines + 1
    return FileScan(FileFormat(encoding, _delimiter(first_line or "")), counted)


def _blocks(handle: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """The file's blocks, then an empty last one (the decoder's ``final``: bytes it kept are told now)."""
    while block := handle.read(_BLOCK):
        yield block, False
    yield b"", True


def _not_text(path: Path, encoding: str, exc: UnicodeDecodeError) -> ImportFileError:
    tried = "UTF-8 or Windows text" if encoding == _FALLBACK else _ENCODING_WORDS[encoding]
    return ImportFileError(f"{path}: not {tried} (bad byte at offset {exc.start}); save it as UTF-8 CSV")


def _delimiter(header: str) -> str:
    """The separator the header line uses most, outside quotes."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for character in header:
        if character == '"':
            quoted = not quoted
        elif not quoted and character in counts:
            counts[character] += 1
    return max(_DELIMITERS, key=lambda delimiter: counts[delimiter])  # the first on a tie


@contextmanager
def csv_reader(path: Path, file_format: FileFormat) -> Iterator[CsvReader]:
    """A ``csv.reader`` over the file as ``scan`` found it."""
    with path.open(encoding=file_format.encoding, newline="") as handle:
        yield csv.reader(handle, delimiter=file_format.delimiter)


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
