"""A saved search as big as the attack's (issue 13, item 5), and a way to store one as an old
database would hold it: written straight to the table, before the size limit existed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.searches.models import SavedSearch


def huge_filter(conditions: int = 1000) -> dict[str, Any]:
    """A thousand conditions in one ``all``: SQLite answers "Expression tree is too large"."""
    return {"all": [{"field": "city", "op": "eq", "value": f"Town {n}"} for n in range(conditions)]}


def store_unchecked(session: Session, name: str, raw: dict[str, Any]) -> int:
    search = SavedSearch(name=name, description="", filter=raw)
    session.add(search)
    session.flush()
    return search.id
