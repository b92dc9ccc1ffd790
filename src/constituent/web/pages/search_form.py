"""The Advanced Search form: rows of field / operator / value (and a date range for gifts), matched all
or any, turned into the saved-search filter tree; the tree's errors are put back on the row they name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from constituent.crm.searches.filters import FIELDS, FieldSpec, FilterError, Op, ValueKind
from constituent.web.pages.forms import FormState

PARTS = ("field", "op", "value", "from", "to")
DEFAULT_ROWS, MAX_ROWS = 3, 20
FIELD_LABELS = {name: name.replace("_", " ").capitalize() for name in FIELDS}
FIELD_LABELS |= {"in_group": "In group (name or id)", "kind": "Kind (individual, organization, vendor)"}
OP_LABELS = {
    Op.eq: "is",
    Op.ne: "is not",
    Op.contains: "contains",
    Op.starts_with: "starts with",
    Op.in_: "is one of (comma separated)",
    Op.gt: "more than / after",
    Op.gte: "at least / on or after",
    Op.lt: "less than / before",
    Op.lte: "at most / on or before",
    Op.is_empty: "is empty",
}
_PATH = re.compile(r"^(?:all|any)\[(\d+)\](?:\.(\w+))?")
_DAYS_AGO = re.compile(r"^(\d+) days? ago$")
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


@dataclass(frozen=True, slots=True)
class SearchForm:
    state: FormState
    rows: int
    match: str

    def row_name(self, index: int, part: str) -> str:
        return f"rows-{index}-{part}"


def read(values: Mapping[str, Any]) -> SearchForm:
    try:
        rows = min(MAX_ROWS, max(1, int(str(values.get("rows", DEFAULT_ROWS)))))
    except ValueError:
        rows = DEFAULT_ROWS
    names = ["name", "description"] + [f"rows-{i}-{part}" for i in range(rows) for part in PARTS]
    state = FormState(values={name: str(values.get(name, "")).strip() for name in names})
    match = "any" if values.get("match") == "any" else "all"
    return SearchForm(state=state, rows=rows, match=match)


def empty() -> SearchForm:
    return SearchForm(state=FormState(), rows=DEFAULT_ROWS, match="all")


def build_filter(form: SearchForm, group_ids: Mapping[str, int]) -> tuple[dict[str, Any], list[int]]:
    """The filter tree, and for each of its conditions the form row it came from (blank rows are skipped)."""
    conditions, rows = [], []
    for index in range(form.rows):
        value = form.state.value
        name = value(form.row_name(index, "field"))
        if not name:
            continue
        op = value(form.row_name(index, "op")) or Op.eq.value
        condition: dict[str, Any] = {"field": name, "op": op}
        spec = FIELDS.get(name)
        text = value(form.row_name(index, "value"))
        if spec is not None and (text or op != Op.is_empty.value):
            condition["value"] = _value(spec, op, text, group_ids)
        for bound in ("from", "to"):
            if value(form.row_name(index, bound)):
                condition[bound] = _day(value(form.row_name(index, bound)))
        conditions.append(condition)
        rows.append(index)
    return {form.match: conditions}, rows


def _value(spec: FieldSpec, op: str, text: str, group_ids: Mapping[str, int]) -> object:
    if op == Op.is_empty.value:
        return text.lower() not in _FALSE
    if op == Op.in_.value:
        return [_scalar(spec, part.strip(), group_ids) for part in text.split(",") if part.strip()]
    return _scalar(spec, text, group_ids)


def _scalar(spec: FieldSpec, text: str, group_ids: Mapping[str, int]) -> object:
    """Typed as the filter wants it; what cannot be read is passed on as text, so the parser names it."""
    kind = spec.value_kind
    if kind is ValueKind.flag:
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    if kind is ValueKind.group and text in group_ids:
        return group_ids[text]
    if kind in (ValueKind.count, ValueKind.group):
        return int(text) if text.isdigit() else text
    if kind is ValueKind.day:
        return _day(text)
    return text


def _day(text: str) -> object:
    found = _DAYS_AGO.match(text.lower())
    return {"days_ago": int(found.group(1))} if found else text


def error_fields(exc: FilterError, rows: list[int], form: SearchForm) -> dict[str, str]:
    """The form field a filter error belongs to (``all[1].value`` -> the second used row's value)."""
    found = _PATH.match(exc.path)
    if found is None or int(found.group(1)) >= len(rows):
        return {"form": exc.message}
    part = found.group(2) if found.group(2) in PARTS else "value"
    return {form.row_name(rows[int(found.group(1))], part): exc.message}
