"""Saving an import mapping by name, and reading it back for a new file.

A mapping names the fields of the columns a file had; a later file is matched column by column (trimmed,
case-insensitive, as imports compare headers), its other columns left to the usual guesses, so a
sheet that gained a column still imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from constituent.crm.errors import InvalidInput, NotFound
from constituent.crm.import_mappings import repository
from constituent.crm.import_mappings.models import ImportMapping, ImportMappingColumn
from constituent.crm.imports.columns import FIELDS
from constituent.crm.imports.headers import IGNORE
from constituent.kit.clock import utcnow

NAME_LIMIT = 100


def save_mapping(session: Session, name: str, chosen: Mapping[str, str], actor: str) -> ImportMapping:
    """Save ``chosen`` (file column -> field, "" to leave it out) as ``name``, replacing one so named."""
    name = name.strip()
    if not name or len(name) > NAME_LIMIT:
        raise InvalidInput("mapping_name", f"give the mapping a name of 1 to {NAME_LIMIT} characters")
    unknown = sorted({f for f in chosen.values() if f not in IGNORE and f not in FIELDS})
    if unknown:
        raise InvalidInput("mapping", f"{', '.join(unknown)} is not a field (fields: {', '.join(FIELDS)})")
    mapping = repository.by_name(session, name) or ImportMapping(name=name)
    mapping.saved_by, mapping.saved_at = actor, utcnow()
    mapping.columns = [
        ImportMappingColumn(position=i, column=column.strip(), column_key=_key(column), field=field)
        for i, (column, field) in enumerate(_distinct(chosen))
    ]
    session.add(mapping)
    session.flush()
    return mapping


def list_mappings(session: Session) -> Sequence[ImportMapping]:
    return repository.all_by_name(session)


def mapping_for(session: Session, mapping_id: int, header: Sequence[str]) -> dict[str, str]:
    """The saved choices for the columns of ``header`` it knows (file column -> field)."""
    mapping = repository.get(session, mapping_id)
    if mapping is None:
        raise NotFound("import mapping", mapping_id)
    saved = {column.column_key: column.field for column in mapping.columns}
    return {name: saved[_key(name)] for name in header if _key(name) in saved}


def mapping_named(session: Session, name: str, header: Sequence[str]) -> dict[str, str]:
    """The same, by the mapping's name (the CLI's --saved-mapping)."""
    mapping = repository.by_name(session, name.strip())
    if mapping is None:
        known = ", ".join(m.name for m in repository.all_by_name(session)) or "none yet"
        raise InvalidInput("saved_mapping", f"no import mapping is called {name!r} (saved: {known})")
    return mapping_for(session, mapping.id, header)


def _key(column: str) -> str:
    return column.strip().lower()


def _distinct(chosen: Mapping[str, str]) -> list[tuple[str, str]]:
    seen: dict[str, tuple[str, str]] = {}
    for column, field in chosen.items():
        seen.setdefault(_key(column), (column, field))
    return list(seen.values())
