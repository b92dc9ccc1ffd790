"""Paged lists on the pages: fifty rows a page, ``?page=N`` (1-based)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

PAGE_SIZE = 50
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


def offset(page: int) -> int:
    return (page - 1) * PAGE_SIZE


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))
