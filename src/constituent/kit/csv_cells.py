"""CSV cells safe to open in a spreadsheet: a cell starting with = + - @ (or a tab or carriage return,
which some spreadsheets skip before looking) would run as a formula, so it is written after an
apostrophe. Names reach us from Mailchimp's public signup form; every CSV we write goes through here.

Our importer takes the apostrophe off again (``restore``), so importing an export gives the same values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """A cell as we wrote it (or as a spreadsheet user typed it to keep it text) back to its value."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


class SafeWriter:
    """``csv.writer`` with every cell neutralised."""

    def __init__(self, handle: Any) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """``csv.DictWriter`` with every cell neutralised (the header row is ours and left as it is)."""

    def __init__(self, handle: Any, fieldnames: Iterable[str]) -> None:
        self._writer = csv.DictWriter(handle, fieldnames=list(fieldnames))

    def writeheader(self) -> None:
        self._writer.writeheader()

    def writerows(self, rows: Iterable[Mapping[str, object]]) -> None:
        self._writer.writerows({key: neutralise(value) for key, value in row.items()} for row in rows)
