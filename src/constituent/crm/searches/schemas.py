"""What callers send and receive for saved searches (API bodies, CLI ``--json``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SavedSearchCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    filter: dict[str, Any] = Field(description='The filter tree, e.g. {"all": [{"field": ...}]}.')


class SavedSearchUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    filter: dict[str, Any] | None = None


class SavedSearchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    # For a quick list this shows how it was built when created; it is rebuilt on every run.
    filter: dict[str, Any]
    quick_list: str | None
    is_quick_list: bool
    created_at: datetime
    updated_at: datetime


class SearchResult(BaseModel):
    search_id: int
    count: int
    contact_ids: list[int]
