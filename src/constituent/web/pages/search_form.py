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


_FORM_KEYS = frozenset({"field", "op", "value", "from", "to"})


def from_filter(
    raw: Mapping[str, Any], group_names: Mapping[int, str], name: str = "", description: str = ""
) -> SearchForm | None:
    """The builder filled with a saved filter, or None when the builder cannot show it (conditions nested
    in groups, or a key it has no box for: such searches were made through the API or the CLI)."""
    if len(raw) != 1 or next(iter(raw)) not in ("all", "any"):
        return None
    match, conditions = next(iter(raw.items()))
    if not isinstance(conditions, list) or len(conditions) > MAX_ROWS:
        return None
    values = {"name": name, "description": description}
    for index, condition in enumerate(conditions):
        if (
            not isinstance(condition, Mapping)
            or "field" not in condition
            or not condition.keys() <= _FORM_KEYS
        ):
            return None
        values |= {f"rows-{index}-{part}": _text(condition.get(part), group_names) for part in PARTS}
        values[f"rows-{index}-op"] = str(condition.get("op") or Op.eq.value)
    rows = max(len(conditions) + 1, DEFAULT_ROWS) if len(conditions) < MAX_ROWS else MAX_ROWS
    return SearchForm(state=FormState(values=values), rows=rows, match=match)


def _text(value: object, group_names: Mapping[int, str]) -> str:
    """A filter value as the builder's box takes it back (the inverse of ``_value``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and value in group_names:
        return group_names[value]
    if isinstance(value, list):
        return ", ".join(_text(item, group_names) for item in value)
    if isinstance(value, Mapping) and "days_ago" in value:
        days = value["days_ago"]
        return f"{days} day ago" if days == 1 else f"{days} days ago"
    return str(value)


def describe(raw: Mapping[str, Any], group_names: Mapping[int, str]) -> list[str]:
    """The filter in words, a line per condition (the search's page shows this, never the JSON)."""
    form = from_filter(raw, group_names)
    if form is None:
        return ["Conditions nested in groups (made through the API or the command line)."]
    lines = []
    for index in range(form.rows):
        value = form.state.value
        field = value(form.row_name(index, "field"))
        if not field:
            continue
        op = Op(value(form.row_name(index, "op")))
        text = value(form.row_name(index, "value"))
        line = f"{FIELD_LABELS.get(field, field)} {OP_LABELS[op]}"
        if op is Op.is_empty:
            line = f"{FIELD_LABELS.get(field, field)} is {'not ' if text == 'no' else ''}empty"
        else:
            line += f" {text}"
        bounds = [value(form.row_name(index, b)) for b in ("from", "to")]
        if any(bounds):
            line += f" (gifts from {bounds[0] or 'the first'} to {bounds[1] or 'today'})"
        lines.append(line)
    return lines or ["No condition: every contact matches."]
