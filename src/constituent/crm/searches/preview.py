"""Running a filter that is not saved yet (the Advanced Search form's preview). Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from constituent.crm.searches import repository
from constituent.crm.searches.compiler import compile_filter
from constituent.crm.searches.filters import parse_filter
from constituent.crm.searches.service import _validate_filter


@dataclass(frozen=True, slots=True)
class Preview:
    count: int
    first_ids: list[int]


def preview_filter(session: Session, raw: dict[str, Any], today: date, *, limit: int = 20) -> Preview:
    """How many contacts ``raw`` matches and the first ``limit`` of them; FilterError names a wrong part."""
    _validate_filter(session, raw)
    ids = repository.matching_ids(session, compile_filter(parse_filter(raw), today=today))
    return Preview(count=len(ids), first_ids=ids[:limit])
