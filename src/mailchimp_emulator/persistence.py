"""Saving and loading the whole store as gzip JSON lines (never pickle: a state file may come from anywhere).

One line per record, written as a stream so a million-member audience never needs a second copy in memory:
the store's own fields, then each account (without its lists), each list (without its members), each member.
Values that JSON cannot say directly are tagged: datetimes ``{"$t": iso}``, bytes ``{"$b": base64}``,
sets ``{"$s": [...]}``, dicts with non-string keys ``{"$d": [[k, v], ...]}``,
records ``{"$c": "Member", ...}``.
Only the record classes of :mod:`mailchimp_emulator.state` can be created from a file.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from mailchimp_emulator import state
from mailchimp_emulator.state import Account, AudienceList, Member, Store

FORMAT = "mailchimp-emulator-state/1"
STORE_FIELDS = ("next_web_id", "oauth_apps", "oauth_codes", "oauth_tokens")
RECORD_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in vars(state).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == state.__name__
}


class StateFileError(ValueError):
    """The state file is not one this emulator wrote."""


def save(store: Store, path: Path) -> None:
    """Write to a temporary file first, so a crash mid-save leaves the previous state intact."""
    temporary = path.with_name(path.name + ".tmp")
    with gzip.open(temporary, "wt", encoding="utf-8", compresslevel=1) as out:
        for line in _lines(store):
            out.write(json.dumps(line, separators=(",", ":")))
            out.write("\n")
    os.replace(temporary, path)


def load(path: Path, into: Store) -> None:
    """Replace what ``into`` holds with the file's content (the store object, and its sink, stay the same)."""
    into.clear()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        header = json.loads(next(lines, "null"))
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise StateFileError(f"{path} is not a {FORMAT} file")
        for name in STORE_FIELDS:
            setattr(into, name, _decode(header["store"][name]))
        for raw in lines:
            _restore(into, json.loads(raw))


def _lines(store: Store) -> Iterator[dict[str, Any]]:
    yield {"format": FORMAT, "store": {name: _encode(getattr(store, name)) for name in STORE_FIELDS}}
    for account in store.accounts.values():
        yield {"account": _encode_record(account, skip="lists")}
        for audience in account.lists.values():
            yield {"list": _encode_record(audience, skip="members")}
            for member in audience.members.values():
                yield {"member": [audience.id, _encode_record(member)]}


def _restore(store: Store, line: dict[str, Any]) -> None:
    if "member" in line:
        list_id, raw = line["member"]
        member = _decode(raw)
        assert isinstance(member, Member)
        audience = store.lists[list_id]
        audience.members[member.id] = member
        audience.members_changed()
    elif "list" in line:
        audience = _decode(line["list"])
        assert isinstance(audience, AudienceList)
        store.add_list(store.accounts[audience.account_id], audience)
    elif "account" in line:
        account = _decode(line["account"])
        assert isinstance(account, Account)
        store.add_account(account)
    else:
        raise StateFileError(f"unknown record {sorted(line)}")


def _encode_record(record: Any, skip: str = "") -> dict[str, Any]:
    encoded: dict[str, Any] = {"$c": type(record).__name__}
    for item in dataclasses.fields(record):
        if item.name != skip and not item.metadata.get("transient"):
            encoded[item.name] = _encode(getattr(record, item.name))
    return encoded


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode()}
    if isinstance(value, set | frozenset):
        return {"$s": [_encode(v) for v in value]}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"$d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and type(value).__name__ in RECORD_CLASSES:
        return _encode_record(value)
    raise TypeError(f"cannot save a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$t" in value:
        return datetime.fromisoformat(value["$t"])
    if "$b" in value:
        return base64.b64decode(value["$b"])
    if "$s" in value:
        return {_decode(v) for v in value["$s"]}
    if "$d" in value:
        return {_decode(k): _decode(v) for k, v in value["$d"]}
    if "$c" in value:
        return _decode_record(value)
    return {k: _decode(v) for k, v in value.items()}


def _decode_record(value: dict[str, Any]) -> Any:
    cls = RECORD_CLASSES.get(value["$c"])
    if cls is None:
        raise StateFileError(f"unknown record class {value['$c']!r}")
    known = {item.name for item in dataclasses.fields(cls) if not item.metadata.get("transient")}
    return cls(**{k: _decode(v) for k, v in value.items() if k in known})
